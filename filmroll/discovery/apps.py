from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sphere_distance(connection, **kwargs) -> None:
    """The embedded index checks exact distances in SQL with the same formula as everywhere."""
    if connection.alias == "index" and connection.vendor == "sqlite":
        from filmroll.places import geo

        def distance(*point: float | None) -> float | None:
            return None if None in point else geo.distance(*point)

        connection.connection.create_function("sphere_distance", 4, distance, deterministic=True)


class DiscoveryConfig(AppConfig):
    name = "filmroll.discovery"
    label = "discovery"

    def ready(self) -> None:
        from filmroll.discovery import tasks  # noqa: F401  (registers the tasks)

        connection_created.connect(_sphere_distance)
