from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "filmroll.api"
    label = "api"
