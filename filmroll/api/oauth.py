"""POST /oauth/access_token: django-oauth-toolkit's token endpoint, answered the way Instagram
answered it: the token plus the user it acts for."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import AccessToken
from oauth2_provider.views import TokenView

from filmroll.api import objects

_token_view = TokenView.as_view()


@csrf_exempt
def access_token(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = JsonResponse(
            {"code": 405, "error_type": "OAuthException", "error_message": "use POST"}, status=405
        )
        response["Allow"] = "POST"
        return response
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # OAuth 2 (RFC 6749 §4.1.3) sends the token request as a form; a JSON body would reach
        # the library as no fields at all and be answered "unsupported grant type".
        return JsonResponse(
            {
                "code": 400,
                "error_type": "OAuthException",
                "error_message": "the token endpoint takes a form body "
                "(application/x-www-form-urlencoded), not JSON",
                "error": "invalid_request",
            },
            status=400,
        )
    answer = _token_view(request)
    try:
        body = json.loads(answer.content)
    except ValueError:
        body = {}
    if answer.status_code != 200 or "access_token" not in body:
        error = body.get("error", "invalid_request")
        return JsonResponse(
            {
                "code": answer.status_code,
                "error_type": "OAuthException",
                "error_message": body.get("error_description") or error.replace("_", " "),
                "error": error,
            },
            status=answer.status_code if answer.status_code >= 400 else 400,
        )
    checksum = hashlib.sha256(body["access_token"].encode()).hexdigest()
    token = AccessToken.objects.select_related("user").filter(token_checksum=checksum).first()
    # Every grant the validator lets through acts for a user; a token for nobody is answered
    # without one rather than as a server error.
    if token is not None and token.user is not None:
        body["user"] = objects.user(token.user, request)
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response
