from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from filmroll.netaddr import within
from filmroll.ops import health, scrape


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers, polled often: this process answers; no backend is touched."""
    return JsonResponse({"status": "ok"})


@never_cache
def healthz_deep(request: HttpRequest) -> JsonResponse:
    """For external monitors: every backend, with timings; 503 when one fails."""
    healthy, report = health.check()
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
def prometheus(request: HttpRequest) -> HttpResponse:
    """For Prometheus, from the networks FILMROLL_METRICS_ALLOW_NETWORKS lists (internal ones by
    default): business figures are not for the public."""
    if not within(request.META.get("REMOTE_ADDR", ""), settings.FILMROLL.metrics_allow_networks):
        return HttpResponse("metrics are served to internal networks only\n", status=403)
    body, content_type = scrape.render()
    return HttpResponse(body, content_type=content_type)
