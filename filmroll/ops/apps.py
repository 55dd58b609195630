from django.apps import AppConfig
from django.db.backends.signals import connection_created


class OpsConfig(AppConfig):
    name = "filmroll.ops"
    label = "ops"

    def ready(self) -> None:
        from django.conf import settings

        from filmroll.observe import metrics

        if settings.FILMROLL.metrics:
            connection_created.connect(
                metrics.watch_connection, dispatch_uid="filmroll-query-metrics"
            )
