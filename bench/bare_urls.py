import json
import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

from filmroll.urls import urlpatterns as filmroll_urls

# A body of the size the compared endpoint answers with, made once.
BODY = json.dumps(
    {"meta": {"code": 200}, "data": "x" * int(os.environ.get("BENCH_BODY_BYTES", "1000"))}
).encode()


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="application/json")


urlpatterns = [path("bench/bare", bare), *filmroll_urls]
