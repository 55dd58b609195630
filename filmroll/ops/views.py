from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from filmroll.ops import health


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers, polled often: this process answers; no backend is touched."""
    return JsonResponse({"status": "ok"})


@never_cache
def healthz_deep(request: HttpRequest) -> JsonResponse:
    """For external monitors: every backend, with timings; 503 when one fails."""
    healthy, report = health.check()
    return JsonResponse(report, status=200 if healthy else 503)
