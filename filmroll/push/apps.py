from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "filmroll.push"
    label = "push"

    def ready(self) -> None:
        from filmroll.push import tasks  # noqa: F401  (registers the tasks)
