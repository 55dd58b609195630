from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "filmroll.discovery"
    label = "discovery"
