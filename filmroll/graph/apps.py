from django.apps import AppConfig


class GraphConfig(AppConfig):
    name = "filmroll.graph"
    label = "graph"
