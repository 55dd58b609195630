from django.apps import AppConfig


class LeavingConfig(AppConfig):
    name = "filmroll.leaving"
    label = "leaving"

    def ready(self) -> None:
        from filmroll.leaving import tasks  # noqa: F401  (registers the tasks)
