from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "filmroll.moderation"
    label = "moderation"
    verbose_name = "moderation"
