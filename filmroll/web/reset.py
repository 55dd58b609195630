"""Password reset by e-mail: Django's views, with mail limited per address and per client
(accounts/logins), and the API's grants and tokens ended as well when the new password is set
(as a password change ends them). The failed log-ins counted against the account are forgiven
then: a reset is how an owner locked out by someone else's guesses gets back in."""

from __future__ import annotations

from django.contrib.auth import views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpResponse

from filmroll.accounts import logins, tokens
from filmroll.api.throttle import client_ip
from filmroll.errors import RateLimited


class EndingTokensForm(SetPasswordForm):
    def save(self, commit: bool = True):
        user = super().save(commit)
        tokens.revoke_all(user)
        logins.forgive(user)
        return user


class LimitedReset(views.PasswordResetView):
    def form_valid(self, form) -> HttpResponse:
        try:
            logins.count_reset_mail(form.cleaned_data["email"], client_ip(self.request))
        except RateLimited as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=error.status)
        return super().form_valid(form)


request_reset = LimitedReset.as_view(
    success_url="/accounts/reset/sent/", email_template_name="registration/reset_email.txt"
)
sent = views.PasswordResetDoneView.as_view()
confirm = views.PasswordResetConfirmView.as_view(
    form_class=EndingTokensForm, success_url="/accounts/reset/done/"
)
done = views.PasswordResetCompleteView.as_view()
