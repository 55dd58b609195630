from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "filmroll.ops"
    label = "ops"
