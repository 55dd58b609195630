"""The admin's page for apps (OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]): staff register apps
for the grants filmroll offers only. An app keeps a grant it already has (filmroll's own
first-party app is a password-grant app, whose grant the token endpoint never honours)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from oauth2_provider.admin import ApplicationAdmin as LibraryAdmin
from oauth2_provider.forms import ApplicationForm

from filmroll.accounts.clients import APP_GRANTS


class AdminForm(ApplicationForm):
    def clean_authorization_grant_type(self) -> Any:
        grant = self.cleaned_data["authorization_grant_type"]
        kept = self.instance.pk is not None and grant == self.instance.authorization_grant_type
        if grant not in APP_GRANTS and not kept:
            raise ValidationError(
                _("filmroll offers apps the authorization code and implicit grants only")
            )
        return grant


class ApplicationAdmin(LibraryAdmin):
    form = AdminForm
