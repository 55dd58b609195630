from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from filmroll.accounts import twofactor, users
from filmroll.accounts.models import SecondFactor, SecurityKey, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = (
        "username",
        "email",
        "full_name",
        "is_private",
        "is_active",
        "is_staff",
        "two_factor",
        "date_joined",
        "delete_after",
    )
    list_filter = (
        "is_active",
        "is_private",
        "is_staff",
        ("delete_after", admin.EmptyFieldListFilter),
    )
    search_fields = ("username", "email", "full_name")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default
    fields = (
        "username",
        "email",
        "full_name",
        "bio",
        "website",
        "is_private",
        "is_active",
        "is_staff",
        "two_factor",
        "delete_after",
    )
    # delete_after: set by the person's own request (accounts/leaving.py): staff see it, the
    # purge acts on it
    readonly_fields = ("two_factor", "delete_after")

    actions = ["reset_two_factor"]

    def get_queryset(self, request: HttpRequest):
        # one query for the list's "Two-factor" column, not two a row
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_totp=Exists(
                    SecondFactor.objects.filter(user=OuterRef("pk")).exclude(totp_secret="")
                ),
                has_key=Exists(SecurityKey.objects.filter(user=OuterRef("pk"))),
            )
        )

    @admin.display(boolean=True, description="Two-factor")
    def two_factor(self, obj: User) -> bool:
        if hasattr(obj, "has_totp"):
            return bool(obj.has_totp or getattr(obj, "has_key", False))
        return twofactor.enabled(obj)

    @admin.action(description="Reset two-factor log-in (for who lost their phone and codes)")
    def reset_two_factor(self, request: HttpRequest, queryset) -> None:
        for user in queryset:
            twofactor.reset(user)
        self.message_user(
            request,
            f"Two-factor log-in is off for {len(queryset)} account(s); they log in with the"
            " password alone until they turn it on again.",
            messages.SUCCESS,
        )

    def save_model(self, request, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        users.after_admin_change(obj)  # caches, tokens and the index see the change at once
