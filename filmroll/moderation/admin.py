"""The admin for staff: reports (remove the photo, or dismiss), a photo page that finds any
photo by shortcode or ID, with its comments, to remove either, and the admin's log-in (through
the one log-in throttle)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from filmroll.accounts import twofactor, users
from filmroll.api import objects
from filmroll.errors import FilmrollError, RateLimited
from filmroll.media import comments, rows, shortcodes
from filmroll.moderation import actions
from filmroll.moderation.models import Report
from filmroll.sharding import ids


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("created", "photo", "reason", "reporter_id", "resolution")
    list_filter = ("resolution",)
    actions = ("remove_photos", "dismiss")
    readonly_fields = ("media_id", "reporter_id", "reason", "created", "resolution")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="photo")
    def photo(self, report: Report) -> str:
        code = shortcodes.encode(report.media_id)
        return format_html('<a href="photos/?q={}">{}</a>', code, code)

    @admin.action(description="Remove the reported photos (as their owners deleting them)")
    def remove_photos(self, request: HttpRequest, queryset) -> None:
        for media_id in set(queryset.values_list("media_id", flat=True)):
            actions.remove_photo(media_id)
        self.message_user(
            request, "Removed everywhere: feeds, tags, places, files.", messages.SUCCESS
        )

    @admin.action(description="Dismiss the reports")
    def dismiss(self, request: HttpRequest, queryset) -> None:
        queryset.filter(resolution="").update(resolution="dismissed")

    def get_urls(self):
        return [path("photos/", self.admin_site.admin_view(self.photos_view), name="photos"),
                *super().get_urls()]  # fmt: skip

    def photos_view(self, request: HttpRequest) -> HttpResponse:
        """Find a photo by shortcode or ID; remove it, or one of its comments."""
        if request.method == "POST":
            try:
                media_id = int(request.POST["media_id"])
                if request.POST.get("comment_id"):
                    actions.remove_comment(media_id, int(request.POST["comment_id"]))
                    self.message_user(request, "Comment removed.", messages.SUCCESS)
                else:
                    actions.remove_photo(media_id)
                    self.message_user(request, "Photo removed everywhere.", messages.SUCCESS)
            except (KeyError, ValueError, FilmrollError) as error:
                self.message_user(request, f"Nothing removed: {error}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        query, found = request.GET.get("q", "").strip(), None
        if query:
            named = _media_id(query)
            media = rows.load_many([named]).get(named) if named else None
            if media is not None:
                owner = actions.owner_of(media.id)
                found = {  # seen as its owner sees it
                    "item": objects.media(media, owner.id, request),
                    "comments": objects.comments(
                        comments.page(owner, media.id, None, 100).comments, request
                    ),
                }
        context = {**self.admin_site.each_context(request), "title": "Photos", "q": query,
                   "found": found, "opts": self.model._meta}  # fmt: skip
        return TemplateResponse(request, "admin/moderation/photos.html", context)


def _media_id(query: str) -> int | None:
    try:
        return ids.parse(query)
    except ValueError:
        pass
    try:
        return shortcodes.decode(query)
    except ValueError:
        return None


class StaffLogIn(AdminAuthenticationForm):
    """The admin's log-in form: the authentication backend counts it like every log-in, and
    past a limit says why instead of failing the request. It has no second step, so it refuses
    accounts with a second factor (before anything else: an account of theirs waiting for
    deletion stays so); for the others the password is the whole log-in, which brings back a
    staff account waiting for deletion (accounts/users.finish_log_in)."""

    def clean(self):
        try:
            return super().clean()
        except RateLimited as error:
            raise ValidationError(error.message, code="rate_limited") from None

    def confirm_login_allowed(self, user) -> None:
        if twofactor.enabled(user):
            # this form has no second step: the site's log-in has, and comes back here
            raise ValidationError(
                "This account uses two-factor log-in: log in at /accounts/login/?next=/admin/",
                code="two_factor",
            )
        if user.is_staff:
            try:
                users.finish_log_in(user)
            except FilmrollError as error:
                raise ValidationError(error.message, code="expired") from None
        super().confirm_login_allowed(user)  # active, and staff


admin.site.login_form = StaffLogIn
