from django.apps import AppConfig
from django.db.models.signals import post_delete


class AccountsConfig(AppConfig):
    name = "filmroll.accounts"
    label = "accounts"

    def ready(self) -> None:
        from oauth2_provider.models import AccessToken

        from filmroll.accounts import tokens

        post_delete.connect(tokens.forget, sender=AccessToken, dispatch_uid="filmroll-token-forget")
