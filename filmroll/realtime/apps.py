from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "filmroll.realtime"
    label = "realtime"

    def ready(self) -> None:
        from filmroll.realtime import tasks  # noqa: F401  (registers the tasks)
