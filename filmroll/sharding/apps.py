from django.apps import AppConfig


class ShardingConfig(AppConfig):
    name = "filmroll.sharding"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from filmroll.sharding import outbox  # noqa: F401  (registers the relay task)
