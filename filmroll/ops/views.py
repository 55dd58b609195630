from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from filmroll.ops import health


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health.check()
    return JsonResponse(report, status=200 if healthy else 503)
