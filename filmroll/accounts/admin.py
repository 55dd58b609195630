from django.contrib import admin
from django.db import models

from filmroll.accounts import users
from filmroll.accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = (
        "username",
        "email",
        "full_name",
        "is_private",
        "is_active",
        "is_staff",
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
        "delete_after",
    )
    # set by the person's own request (accounts/leaving.py): staff see it, the purge acts on it
    readonly_fields = ("delete_after",)

    def save_model(self, request, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        users.after_admin_change(obj)  # caches, tokens and the index see the change at once
