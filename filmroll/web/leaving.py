"""Settings pages for leaving: delete the account, download your data (and the archive itself,
which answers only its owner)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from filmroll.accounts import leaving, tokens
from filmroll.accounts.models import User
from filmroll.api.throttle import client_ip
from filmroll.errors import FilmrollError
from filmroll.files import storage
from filmroll.leaving import export
from filmroll.web.lookups import SignedInRequest

SIGNED_URL_SECONDS = 60


@login_required
@require_http_methods(["GET", "POST"])
def delete_page(request: SignedInRequest) -> HttpResponse:
    user = User.objects.get(id=request.user.id)
    context = {"error": "", "second_factor": leaving.has_second_factor(user),
               "grace_days": leaving.grace().days}  # fmt: skip
    if request.method == "POST":
        try:
            leaving.request_deletion(
                user, request.POST.get("password"), request.POST.get("code"), client_ip(request)
            )
        except FilmrollError as error:
            context["error"] = error.message
            return render(request, "web/delete_account.html", context, status=error.status)
        auth.logout(request)
        return render(request, "web/account_deleted.html", {"delete_after": user.delete_after})
    return render(request, "web/delete_account.html", context)


def _link(request: HttpRequest, export_id: int) -> str:
    return request.build_absolute_uri(f"/settings/data/{export_id}/download")


@login_required
@require_http_methods(["GET", "POST"])
def data_page(request: SignedInRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            export.request(request.user, lambda export_id: _link(request, export_id))
        except FilmrollError as refused:
            error = refused.message
        else:
            return HttpResponseRedirect("/settings/data/")
    found = export.latest(request.user.id)
    context = {"error": error, "status": export.status(found), "export": found,
               "days": settings.FILMROLL.export_days}  # fmt: skip
    return render(request, "web/data.html", context, status=429 if error else 200)


def _owner(request: HttpRequest) -> int | None:
    """Who asks: the session's user, or the API token's (Authorization: Bearer)."""
    if request.user.is_authenticated:
        return request.user.id
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        try:
            return tokens.lookup(header[7:].strip()).user.id
        except FilmrollError:
            return None
    return None


def download(request: HttpRequest, export_id: str) -> HttpResponseBase:
    """The archive, for its owner only: anyone else (signed in or not) gets a 404, exactly as
    for an archive that does not exist. Served from local disk, or by a redirect to a signed
    address good for a minute (S3)."""
    owner = _owner(request)
    if owner is None:
        raise PermissionDenied("log in to download your data")
    try:
        found = export.ready_for(owner, export_id)
    except FilmrollError:
        raise Http404("no such archive") from None
    filename = f"filmroll-{found.requested:%Y-%m-%d}.zip"
    signed = storage.signed_url(found.key, SIGNED_URL_SECONDS, filename)
    response: HttpResponseBase
    if signed is not None:
        response = HttpResponseRedirect(signed)
    else:
        # FileResponse closes the file when the response is done.
        file = open(storage.private_path(found.key), "rb")  # noqa: SIM115
        response = FileResponse(file, as_attachment=True, filename=filename,
                                content_type="application/zip")  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response
