"""The pages where developers register and edit their apps: django-oauth-toolkit's views, with
the grants limited to those filmroll offers (clients.APP_GRANTS) and a client secret that is
always stored hashed, so shown only while it can still be copied: on the registration form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.hashers import identify_hasher
from django.utils.translation import gettext_lazy as _
from oauth2_provider import views
from oauth2_provider.forms import ApplicationForm
from oauth2_provider.models import Application

from filmroll.accounts.clients import APP_GRANTS

GRANT_LABELS = {
    Application.GRANT_AUTHORIZATION_CODE: _("Authorization code"),
    Application.GRANT_IMPLICIT: _("Implicit (v1 browser-only clients)"),
}
GRANT_CHOICES = [(grant, GRANT_LABELS[grant]) for grant in APP_GRANTS]

CLIENT_TYPES = [
    (Application.CLIENT_CONFIDENTIAL, _("Confidential (a server that keeps the secret)")),
    (Application.CLIENT_PUBLIC, _("Public (an app that cannot keep a secret)")),
]


class _AppForm(ApplicationForm):
    authorization_grant_type = forms.ChoiceField(
        label=_("Authorization grant type"), choices=GRANT_CHOICES
    )
    client_type = forms.ChoiceField(label=_("Client type"), choices=CLIENT_TYPES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name")
        self.fields["redirect_uris"].label = _("Redirect URIs")
        self.fields["redirect_uris"].help_text = _("One or more, separated by spaces.")


class RegistrationForm(_AppForm):
    class Meta:
        model = Application
        fields = (
            "name",
            "client_id",
            "client_secret",
            "client_type",
            "authorization_grant_type",
            "redirect_uris",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_id"].label = _("Client ID")
        self.fields["client_secret"].label = _("Client secret")
        self.fields["client_secret"].help_text = _(
            "Copy it now: filmroll stores only a hash of it and cannot show it again."
        )
        self.fields["client_secret"].widget.attrs["readonly"] = True


class UpdateForm(_AppForm):
    # Blank keeps the stored secret (a hash, never shown); a new value replaces it.
    client_secret = forms.CharField(label=_("New client secret"), required=False, max_length=255)

    class Meta:
        model = Application
        fields = ("name", "client_type", "authorization_grant_type", "redirect_uris")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_secret"].help_text = _(
            "Leave empty to keep the current secret. A new one replaces it: copy it before "
            "saving, filmroll stores only a hash."
        )

    def save(self, commit: bool = True) -> Application:
        if self.cleaned_data.get("client_secret"):
            self.instance.client_secret = self.cleaned_data["client_secret"]
            self.instance.hash_client_secret = True
        return super().save(commit)


class Registration(views.ApplicationRegistration):
    def get_form_class(self) -> type[RegistrationForm]:
        return RegistrationForm

    def form_valid(self, form: RegistrationForm) -> Any:
        form.instance.hash_client_secret = True  # at rest, only ever a hash
        return super().form_valid(form)


class Update(views.ApplicationUpdate):
    def get_form_class(self) -> type[UpdateForm]:
        return UpdateForm


def secret_is_hashed(app: Application) -> bool:
    """Whether the stored secret is a hash (apps registered before hashing keep a readable one)."""
    try:
        identify_hasher(app.client_secret)
    except ValueError:
        return False
    return True


class Detail(views.ApplicationDetail):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        app = context["application"]
        context["secret_hashed"] = secret_is_hashed(app)
        context["client_type"] = dict(CLIENT_TYPES).get(app.client_type, app.client_type)
        context["grant"] = GRANT_LABELS.get(app.authorization_grant_type)
        return context
