from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "filmroll.tasks"
    label = "tasks"
