"""The OAuth consent page. Its Authorize and Cancel buttons post here, and the answer is a
redirect on to the app's redirect URI: a browser applies the page's `form-action` to that
redirect too, so this one page's policy also allows the redirect URI that django-oauth-toolkit
(oauthlib) has checked against the app's registered ones. Every other page keeps 'self' only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from oauth2_provider.views import AuthorizationView

from filmroll.web import security


class Consent(AuthorizationView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        context = getattr(response, "context_data", None) or {}
        checked = context.get("redirect_uri")  # set only once the request has been validated
        allowed = security.source(checked) if isinstance(checked, str) else ""
        if allowed and not context.get("error"):
            response["Content-Security-Policy"] = security.policy(form_action=allowed)
        return response
