"""Settings for benchmark servers: filmroll's own, plus a bare JSON view to compare against, and
a switch that bypasses the object cache."""

import os

from filmroll.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
if os.environ.get("BENCH_NO_CACHE") == "1":
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}  # noqa: F405
