"""Devices and preferences for push notifications; the Web Push public key for browsers."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from filmroll.api import scopes
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import ApiRequest
from filmroll.errors import Invalid, NotFound
from filmroll.push import notify
from filmroll.push.models import Device


def _device(device: Device) -> dict:
    return {
        "id": str(device.id),
        "platform": device.platform,
        "created_time": str(int(device.created.timestamp())),
    }


@endpoint("GET", "POST", "DELETE", scope=scopes.FIRST_PARTY)
def devices(request: ApiRequest) -> JsonResponse:
    me = request.api_user.id
    if request.method == "POST":
        platform = field(request, "platform")
        wanted = "subscription" if platform == "webpush" else "token"
        extra = set(request.data) - {"platform", wanted}
        if extra:
            raise Invalid(f"{', '.join(sorted(extra))}: not taken with platform {platform}")
        return ok(_device(notify.register(me, platform, field(request, wanted))), status=201)
    if request.method == "DELETE":
        notify.unregister(me, field(request, "id"))
        return ok(None)
    return ok([_device(d) for d in Device.objects.filter(user_id=me).order_by("id")])


@endpoint("GET", "POST", scope=scopes.FIRST_PARTY)
def preferences(request: ApiRequest) -> JsonResponse:
    me = request.api_user.id
    if request.method == "POST":
        return ok(notify.set_preferences(me, request.data))
    return ok(notify.preferences(me))


@endpoint("GET", auth=False)
def vapid_key(request: HttpRequest) -> JsonResponse:
    if not settings.FILMROLL.vapid_private_key:
        raise NotFound("Web Push is not set up on this server")
    return ok({"public_key": notify.vapid_public_key()})
