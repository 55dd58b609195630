from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "filmroll.feeds"
    label = "feeds"

    def ready(self) -> None:
        from filmroll.feeds import tasks  # noqa: F401  (registers the tasks)
