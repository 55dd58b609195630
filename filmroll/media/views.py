"""Serving stored photo files in the embedded default (a CDN or S3 serves them in a cluster)."""

from django.http import FileResponse, Http404, HttpRequest

from filmroll.media import storage


def serve(request: HttpRequest, key: str) -> FileResponse:
    try:
        path = storage.path_of(key)
    except ValueError:
        raise Http404("no such file") from None
    if not path.is_file():
        raise Http404("no such file")
    content_type = storage.CONTENT_TYPES[key.rsplit(".", 1)[1]]
    # FileResponse closes the file when the response is done.
    response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
