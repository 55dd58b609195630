from django.apps import AppConfig


class GraphConfig(AppConfig):
    name = "filmroll.graph"
    label = "graph"

    def ready(self) -> None:
        from filmroll.graph import tasks  # noqa: F401  (registers the tasks)
