from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "filmroll.web"
    label = "web"
