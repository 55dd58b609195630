"""/api/v1/openapi.json and /api/v1/docs: the same description for programs and for people. The
reference page is Redoc (its files from a pinned package, served by the app, never a CDN),
with the operations listed in plain HTML for readers without JavaScript."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from filmroll.api import openapi
from filmroll.api.envelope import endpoint

# Scripts from this site only; Redoc styles inline and builds its search index in a worker made
# from a blob: URL.
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@endpoint("GET", auth=False)
def schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi.document(_base(request)))


@endpoint("GET", auth=False)
def page(request: HttpRequest) -> HttpResponse:
    document = openapi.document(_base(request))
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    ]
    schema_url = request.path.rsplit("/docs", 1)[0] + "/openapi.json"
    response = render(
        request,
        "web/api_docs.html",
        {"document": document, "operations": operations, "schema_url": schema_url},
    )
    response["Content-Security-Policy"] = POLICY
    return response
