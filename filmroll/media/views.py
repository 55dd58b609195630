"""Serving stored photo files in the embedded default (a CDN or S3 serves them in a cluster),
and the filter previews."""

import functools

from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from filmroll.files import images, storage
from filmroll.media import filters, samples


def serve(request: HttpRequest, key: str) -> FileResponse:
    try:
        path = storage.Local().path(key)
    except ValueError:
        raise Http404("no such file") from None
    if not path.is_file():
        raise Http404("no such file")
    content_type = storage.CONTENT_TYPES[key.rsplit(".", 1)[1]]
    # FileResponse closes the file when the response is done.
    response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = storage.CACHE_FOREVER
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@functools.cache
def _preview(name: str) -> bytes:
    return images.jpeg_bytes(filters.apply(name, samples.preview_sample()))


def filter_preview(request: HttpRequest, name: str) -> HttpResponse:
    if name not in filters.FILTERS:
        raise Http404("no such filter")
    response = HttpResponse(_preview(name), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response
