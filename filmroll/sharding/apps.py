from django.apps import AppConfig


class ShardingConfig(AppConfig):
    name = "filmroll.sharding"
    default_auto_field = "django.db.models.BigAutoField"
