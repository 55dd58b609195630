"""The pages refused before LocaleMiddleware runs (api/inputs.py: a body too large, input that
cannot be stored) speak the reader's language, not that of the thread's previous request."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


def test_a_page_refused_before_any_view_speaks_the_readers_language(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    browser = Client()
    for before, now, words in (("en", "de", "Zu groß"), ("de", "en", "Too large")):
        browser.get("/", HTTP_ACCEPT_LANGUAGE=before)  # the thread's last request
        answer = browser.post(
            "/accounts/login/", {"password": "x" * 5000}, HTTP_ACCEPT_LANGUAGE=now
        )
        assert answer.status_code == 413
        assert (
            f'<html lang="{now}">' in answer.content.decode() and words in answer.content.decode()
        )
