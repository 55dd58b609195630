"""/api/v1/openapi.json and /api/v1/docs, the same description for programs and for people."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from filmroll.api import openapi
from filmroll.api.envelope import endpoint


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
    return render(
        request,
        "web/api_docs.html",
        {
            "document": document,
            "operations": operations,
            "scopes": document["components"]["securitySchemes"]["oauth"]["flows"][
                "authorizationCode"
            ]["scopes"],
        },
    )
