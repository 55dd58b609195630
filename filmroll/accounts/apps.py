from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "filmroll.accounts"
    label = "accounts"
