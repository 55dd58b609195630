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
    )
    list_filter = ("is_active", "is_private", "is_staff")
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
    )

    def save_model(self, request, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        users.after_admin_change(obj)  # caches, tokens and the index see the change at once
