"""Static files' storage: Django's own (WhiteNoise serves the apps' static folders), with each
file's URL worked out once a process. No manifest hashes names here, so a URL is the static
prefix and the quoted name and cannot change while the process runs (tests changing STATIC_URL
get a new storage), while every {% static %} and each default avatar would join it again."""

from __future__ import annotations

from django.contrib.staticfiles.storage import StaticFilesStorage

MOST = 1024  # names kept; templates and code name a few dozen files, never a visitor's input


class KeptUrls(StaticFilesStorage):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str | None, str] = {}

    def url(self, name: str | None) -> str:
        found = self._urls.get(name)
        if found is None:
            found = super().url(name)
            if len(self._urls) < MOST:
                self._urls[name] = found
        return found
