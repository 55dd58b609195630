from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "filmroll.media"
    label = "media"

    def ready(self) -> None:
        from filmroll.media import tasks  # noqa: F401  (registers the tasks)
