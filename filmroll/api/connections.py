"""/api/v1/users/self/connections: accounts on other networks that new photos can go to."""

from django.http import JsonResponse

from filmroll.api import scopes
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import ApiRequest
from filmroll.sharing import shares
from filmroll.sharing.models import Account


@endpoint("GET", "POST", "DELETE", scope=scopes.FIRST_PARTY)
def connections(request: ApiRequest) -> JsonResponse:
    me = request.api_user.id
    if request.method == "POST":
        account = shares.connect(
            me,
            field(request, "provider"),
            field(request, "token"),
            field(request, "base_url"),
            field(request, "target"),
            field(request, "token_secret"),
        )
        return ok(shares.as_json(account), status=201)
    if request.method == "DELETE":
        shares.disconnect(me, field(request, "provider"))
        return ok(None)
    return ok([shares.as_json(a) for a in Account.objects.filter(user_id=me).order_by("provider")])
