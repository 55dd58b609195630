"""Settings: the profile, privacy, avatar and password; follow requests; follower lists."""

from __future__ import annotations

import contextlib

from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filmroll.accounts import users
from filmroll.accounts.models import User
from filmroll.api import objects
from filmroll.api.throttle import client_ip
from filmroll.errors import FilmrollError, StorageUnavailable
from filmroll.graph import edges, relationships, visibility
from filmroll.web import lists, lookups
from filmroll.web.lookups import SignedInRequest

PEOPLE_PAGE = 50
REQUESTS_PAGE = 50  # follow requests a page shows (tests shorten it)


@login_required
def settings_page(request: SignedInRequest) -> HttpResponse:
    user = User.objects.get(id=request.user.id)
    context = {"error": "", "saved": request.GET.get("saved") == "1"}
    if request.method == "POST":
        fields = {k: request.POST.get(k, "") for k in ("full_name", "bio", "website")}
        fields["is_private"] = "true" if request.POST.get("is_private") else "false"
        picture = request.FILES.get("profile_picture")
        try:
            with transaction.atomic():
                users.update_profile(user, fields)
                if picture is not None:
                    users.set_avatar(user, picture.read())
        except StorageUnavailable as error:  # the page again, saying to try in a minute
            context["error"], context["me"] = error.message, user
            page = render(request, "web/settings.html", context, status=error.status)
            page["Retry-After"] = str(error.retry_after)
            return page
        except FilmrollError as error:
            context["error"] = error.message
        else:
            return HttpResponseRedirect("/settings/?saved=1")
    context["me"] = user
    return render(request, "web/settings.html", context, status=400 if context["error"] else 200)


@login_required
def password_page(request: SignedInRequest) -> HttpResponse:
    context = {"error": ""}
    if request.method == "POST":
        user = User.objects.get(id=request.user.id)
        try:
            users.change_password(
                user,
                request.POST.get("old_password"),
                request.POST.get("new_password"),
                client_ip(request),
            )
        except FilmrollError as error:
            context["error"] = error.message
            return render(request, "registration/password.html", context, status=error.status)
        # Every session ended with the old password; this one goes on, under a new key.
        auth.login(request, user)
        return HttpResponseRedirect("/settings/?saved=1")
    return render(request, "registration/password.html", context)


@login_required
def requests_page(request: SignedInRequest) -> HttpResponse:
    found = edges.page("follow_requests", request.user.id, lookups.before(request), REQUESTS_PAGE)
    shown = visibility.visible_people_by_id(request.user.id, found)
    more = found[-1] if len(found) == REQUESTS_PAGE else None  # keyset on the last raw row
    context = {"people": objects.users(shown, request), "more": lists.more_url(request, more)}
    return lists.page(request, "web/requests.html", "web/_requests_page.html", context)


@login_required
@require_POST
def answer_request(request: SignedInRequest, username: str) -> HttpResponse:
    person = lookups.person(username)
    if request.POST.get("action") in ("approve", "ignore"):
        with contextlib.suppress(FilmrollError):  # already answered
            relationships.act(request.user, person, request.POST["action"])
    return HttpResponseRedirect("/activity/requests/")


def people_list(request: HttpRequest, username: str, table: str) -> HttpResponse:
    person, viewer = lookups.person(username), lookups.viewer_id(request)
    if not visibility.can_see(viewer, person):
        raise Http404("no such list")
    found = edges.page(table, person.id, lookups.before(request), PEOPLE_PAGE)
    shown = visibility.visible_people_by_id(viewer, found)
    title = (_("%(name)s's followers") if table == "followers" else _("%(name)s follows")) % {
        "name": person.username
    }
    return lists.page(
        request,
        "web/people.html",
        "web/_people_page.html",
        {
            "title": title,
            "people": [objects.user_small(u, request) for u in shown],
            "listing": True,
            # keyset on the other person's ID: the last raw row, seen or not, is the cursor
            "more": lists.more_url(request, found[-1] if len(found) == PEOPLE_PAGE else None),
        },
    )


def followers(request: HttpRequest, username: str) -> HttpResponse:
    return people_list(request, username, "followers")


def following(request: HttpRequest, username: str) -> HttpResponse:
    return people_list(request, username, "following")
