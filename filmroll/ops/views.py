from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from filmroll.ops import health, scrape
from filmroll.ops.access import is_operator, operators_only


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers, polled often: this process answers; no backend is touched."""
    return JsonResponse({"status": "ok"})


@never_cache
def healthz_deep(request: HttpRequest) -> JsonResponse:
    """For monitors: every backend, with timings, to operators (ops/access); up or down only to
    anyone else. 503 when one fails."""
    healthy, report = health.check()
    shown = report if is_operator(request) else {"status": report["status"]}
    return JsonResponse(shown, status=200 if healthy else 503)


@never_cache
@operators_only
def prometheus(request: HttpRequest) -> HttpResponse:
    """For Prometheus: business figures are not for the public."""
    body, content_type = scrape.render()
    return HttpResponse(body, content_type=content_type)
