from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sphere_distance(connection, **kwargs) -> None:
    """The embedded index checks exact distances in SQL with the same formula as everywhere."""
    if connection.alias == "index" and connection.vendor == "sqlite":
        from filmroll.places import geo

        def distance(
            lat1: float | None, lng1: float | None, lat2: float | None, lng2: float | None
        ) -> float | None:
            if lat1 is None or lng1 is None or lat2 is None or lng2 is None:
                return None
            return geo.distance(lat1, lng1, lat2, lng2)

        connection.connection.create_function("sphere_distance", 4, distance, deterministic=True)


class DiscoveryConfig(AppConfig):
    name = "filmroll.discovery"
    label = "discovery"

    def ready(self) -> None:
        from filmroll.discovery import tasks  # noqa: F401  (registers the tasks)

        connection_created.connect(_sphere_distance)
