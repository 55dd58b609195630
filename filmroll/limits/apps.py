from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "filmroll.limits"
    label = "limits"

    def ready(self) -> None:
        from filmroll.limits import tasks  # noqa: F401  (registers the tasks)
