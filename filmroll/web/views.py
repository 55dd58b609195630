from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from filmroll import __version__
from filmroll.accounts.models import User
from filmroll.ops import health
from filmroll.ops.access import operators_only
from filmroll.sharding import shardmap


@operators_only
def home(request: HttpRequest) -> HttpResponse:
    healthy, report = health.check()
    return render(
        request,
        "web/home.html",
        {
            "version": __version__,
            "report": report,
            "healthy": healthy,
            "users": User.objects.count(),
            "logical_shards": shardmap.logical_count() if shardmap.exists() else 0,
            "ranges": shardmap.ranges() if shardmap.exists() else [],
            "data_dir": settings.FILMROLL.data_dir,
        },
    )
