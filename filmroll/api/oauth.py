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
    token = AccessToken.objects.select_related("user").get(token_checksum=checksum)
    body["user"] = objects.user(token.user, request)
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response
