"""Who may use the operator endpoints (/metrics, /status, the details of /healthz/deep): clients
whose real address, behind trusted proxies (FILMROLL_TRUSTED_PROXIES), is in
FILMROLL_OPERATOR_NETWORKS. The peer's own address would make everyone behind nginx an operator."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from filmroll.api.throttle import client_ip
from filmroll.netaddr import within


def is_operator(request: HttpRequest) -> bool:
    return within(client_ip(request), settings.FILMROLL.operator_networks)


def operators_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_operator(request):
            return HttpResponse(
                "for operators only: this network is not in FILMROLL_OPERATOR_NETWORKS\n",
                status=403,
                content_type="text/plain",
            )
        return view(request, *args, **kwargs)

    return guarded
