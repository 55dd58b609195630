from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "filmroll.media"
    label = "media"
