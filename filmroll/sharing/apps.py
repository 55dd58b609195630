from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "filmroll.sharing"
    label = "sharing"

    def ready(self) -> None:
        from filmroll.sharing import tasks  # noqa: F401  (registers the tasks)
