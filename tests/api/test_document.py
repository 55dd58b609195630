"""The OpenAPI document against the code: every route of the API's URL conf is in it, each of its
operations with the methods, the scope and the client_id-only reads its view declares (and so
enforces: filmroll.api.envelope checks what the view declares); every operation tagged, with an
example; the reference page served from this site's own files."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import resolve

from filmroll.api import openapi, scopes
from filmroll.api import urls as api_urls

SAMPLE = {"user_id": "1", "media_id": "2", "comment_id": "3", "location_id": "4", "name": "tag",
          "code": "abc", "geo_id": "5"}  # fmt: skip


def _view(path: str):
    return resolve("/api/v1" + path.format(**SAMPLE))


def _expected_security(path: str, method: str, declared) -> list[dict]:
    """What the document must say for a view's declaration."""
    if not declared.auth:
        return []
    scope = declared.scope_for(method.upper())
    return openapi.security(path, method, "any" if scope is None else scope)


def test_every_route_is_documented_with_the_scope_its_view_enforces():
    document = openapi.document("")
    routed = {p.name for p in api_urls.urlpatterns if p.name} - {"openapi", "docs"}
    documented: dict[str, set[str]] = {}
    for path, methods in document["paths"].items():
        match = _view(path)
        declared = match.func.api
        for method, op in methods.items():
            documented.setdefault(match.url_name, set()).add(method.upper())
            assert method.upper() in declared.methods, (path, method)
            assert op["security"] == _expected_security(path, method, declared), (path, method)
            if {"client_id": []} in op["security"]:
                assert declared.public and method == "get", (path, method)
            elif declared.auth and method == "get":
                assert not declared.public, f"{path}: the view lets client_id read it"
    assert set(documented) == routed
    for name in routed:  # each method a view answers (HEAD goes with GET) is documented
        pattern = next(p for p in api_urls.urlpatterns if p.name == name)
        assert pattern.callback.api.methods - {"HEAD"} == documented[name], name


def test_a_view_that_checks_another_scope_than_the_document_says_is_caught():
    """The comparison above fails for a view whose declaration differs from the document."""
    path, method = "/media/{media_id}/comments", "post"
    declared = _view(path).func.api
    op = openapi.document("")["paths"][path][method]
    assert op["security"] == _expected_security(path, method, declared)
    assert op["security"] != openapi.security(path, method, scopes.LIKES)


def test_every_operation_is_tagged_secured_and_has_examples():
    document = openapi.document("")
    tags = {t["name"] for t in document["tags"]}
    flows = document["components"]["securitySchemes"]["oauth"]["flows"]["authorizationCode"]
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            assert len(op["tags"]) == 1 and op["tags"][0] in tags, (path, method)
            assert "security" in op
            for requirement in op["security"]:
                for scheme, needed in requirement.items():
                    assert scheme in ("oauth", "client_id")
                    assert set(needed) <= set(flows["scopes"])
            for answer in op["responses"].values():
                assert "example" in answer["content"]["application/json"], (path, method)
    example = document["paths"]["/media/{media_id}"]["get"]["responses"]["200"]["content"]
    media = example["application/json"]["example"]["data"]
    assert media["comments"]["data"][0]["from"]["username"] and media["filter"] == "Valencia"
    body = document["paths"]["/media/{media_id}/comments"]["post"]["requestBody"]
    assert body["content"]["application/json"]["example"] == {"text": "Lovely light!"}


def test_the_reference_page_is_redoc_from_this_sites_own_files():
    client = Client()
    for base in ("/api/v1", "/v1"):
        page = client.get(f"{base}/docs")
        assert page.status_code == 200
        html = page.content.decode()
        assert f'spec-url="{base}/openapi.json"' in html
        scripts = re.findall(r'<script src="([^"]+)"', html)
        assert scripts == [
            "/static/filmroll/redoc-offline.js",  # its maker's logo from here, not their CDN
            "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
        ]
        assert "script-src 'self'" in page["Content-Security-Policy"]
        assert "GET /media/{media_id}" in html  # the table of contents without JavaScript
    bundle = client.get(scripts[-1])
    assert (
        bundle.status_code == 200 and b"redoc" in b"".join(bundle.streaming_content)[:5000].lower()
    )
    assert client.get("/v1/openapi.json").json()["paths"]["/oembed"]["get"]["tags"] == ["oembed"]


def test_the_description_says_what_the_server_sends(settings):
    """JSONP's exact wrapping and the tokens' lifetime, as this server has them."""
    about = openapi.document("")["info"]["description"]
    answer = Client().get("/v1/media/filters", {"callback": "cb"})
    assert answer.content.startswith(b"/**/cb({") and answer.content.endswith(b"});")
    assert "`/**/name({...});`" in about
    assert f"({settings.FILMROLL.token_days} days on this server)" in about
