"""/api/v1/subscriptions: an app (by its client credentials, not a user's token) subscribes to
new public photos of a user, a tag, a place or an area."""

from django.http import JsonResponse

from filmroll.accounts import clients
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import PublicRequest
from filmroll.realtime import subscriptions as subs

FIELDS = ("object", "object_id", "aspect", "callback_url", "verify_token", "lat", "lng", "radius")


@endpoint("GET", "POST", "DELETE", auth=False)
def subscriptions(request: PublicRequest) -> JsonResponse:
    secret = field(request, "client_secret")
    app = clients.authenticate(field(request, "client_id"), secret)
    if request.method == "POST":
        created = subs.create(app, secret, {name: field(request, name) for name in FIELDS})
        return ok(subs.as_json(created))  # 200, as v1 answered (clients check for it)
    if request.method == "DELETE":
        subs.remove(app, field(request, "id"), field(request, "object"))
        return ok(None)
    return ok([subs.as_json(s) for s in subs.listed(app)])
