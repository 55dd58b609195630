"""Password reset by e-mail: Django's views, with the API's tokens ended as well when the new
password is set (as a password change ends them)."""

from __future__ import annotations

from django.contrib.auth import views
from django.contrib.auth.forms import SetPasswordForm

from filmroll.accounts import tokens


class EndingTokensForm(SetPasswordForm):
    def save(self, commit: bool = True):
        user = super().save(commit)
        tokens.revoke_all(user)
        return user


request_reset = views.PasswordResetView.as_view(
    success_url="/accounts/reset/sent/", email_template_name="registration/reset_email.txt"
)
sent = views.PasswordResetDoneView.as_view()
confirm = views.PasswordResetConfirmView.as_view(
    form_class=EndingTokensForm, success_url="/accounts/reset/done/"
)
done = views.PasswordResetCompleteView.as_view()
