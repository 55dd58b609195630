from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete


class AccountsConfig(AppConfig):
    name = "filmroll.accounts"
    label = "accounts"

    def ready(self) -> None:
        from oauth2_provider.models import AccessToken

        from filmroll.accounts import sessions, tokens

        post_delete.connect(tokens.forget, sender=AccessToken, dispatch_uid="filmroll-token-forget")
        # every web session under its person, so that all of them can end at once
        user_logged_in.connect(sessions.remember, dispatch_uid="filmroll-session-remember")
        user_logged_out.connect(sessions.forget, dispatch_uid="filmroll-session-forget")
