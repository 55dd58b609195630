"""The URL conf of FILMROLL_API_HOST (filmroll.api.hosts): the API, OAuth and oEmbed where v1
clients look for them, the health checks, and the API's 404 for everything else."""

from django.urls import re_path

from filmroll.api.urls import not_found
from filmroll.urls import (
    api_patterns,
    handler400,
    handler403,
    handler404,
    handler500,
    health_patterns,
)

urlpatterns = [*health_patterns, *api_patterns, re_path(r"^", not_found)]
__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]
