"""The web app in a second language: German pages for a browser that asks for German, English
otherwise, FILMROLL_LANGUAGE for browsers that ask for neither, and catalogs that hold every
marked string, translated, and compiled from their current text."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import filmroll
from tests.support.personas import make_user

pytestmark = [pytest.mark.django_db(databases="__all__")]

PACKAGE = Path(filmroll.__file__).parent
CATALOG = PACKAGE / "locale" / "de" / "LC_MESSAGES" / "django.po"


def entries(po: str) -> dict[str, str]:
    """msgid → msgstr of a catalog (plural forms by their first form), the header left out."""
    found: dict[str, str] = {}
    for block in po.split("\n\n"):
        msgid = _field(block, "msgid")
        if not msgid:
            continue
        translated = _field(block, "msgstr") or _field(block, r"msgstr\[0\]")
        found[msgid] = "" if "#, fuzzy" in block else translated  # gettext ignores a guess
    return found


def _field(block: str, name: str) -> str:
    match = re.search(rf"^{name} ((?:\".*\"\n?)+)", block, re.MULTILINE)
    if not match:
        return ""
    return "".join(re.findall(r'"(.*)"', match.group(1)))


def test_a_browser_that_asks_for_german_gets_the_pages_in_german():
    _, _ = make_user("ana")
    german = Client(headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"}).get("/accounts/login/")
    english = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/accounts/login/")
    assert german.status_code == english.status_code == 200
    assert '<html lang="de"' in german.content.decode()
    assert '<html lang="en"' in english.content.decode()
    assert "Passwort" in german.content.decode() and "Password" in english.content.decode()
    assert german.content != english.content


def test_every_marked_string_has_a_german_translation():
    translated = entries(CATALOG.read_text())
    missing = sorted(msgid for msgid, msgstr in translated.items() if not msgstr)
    assert len(translated) > 100 and not missing, missing


def test_the_catalog_holds_exactly_the_strings_the_code_marks(tmp_path):
    """`make messages` run on a copy of the package finds no string the catalog lacks."""
    copy = tmp_path / "filmroll"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "filmroll.settings",
           "FILMROLL_DATA_DIR": str(tmp_path / "var")}  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "de", "--no-location",
         "--no-obsolete"], cwd=copy, env=env, check=True, capture_output=True,
    )  # fmt: skip
    fresh = entries((copy / "locale" / "de" / "LC_MESSAGES" / "django.po").read_text())
    assert set(fresh) == set(entries(CATALOG.read_text())), "run `make messages`"


def test_the_compiled_catalog_is_compiled_from_the_current_text(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(CATALOG)], check=True)
    assert compiled.read_bytes() == CATALOG.with_suffix(".mo").read_bytes(), "run `make messages`"


def test_a_browser_that_asks_for_no_language_we_have_gets_the_configured_one(settings):
    settings.LANGUAGE_CODE = "de"
    page = Client(headers={"accept-language": "ja"}).get("/accounts/login/")
    assert '<html lang="de"' in page.content.decode() and "Passwort" in page.content.decode()


def test_the_configured_language_is_one_we_have(tmp_path):
    from filmroll import config

    assert (
        config.load({"FILMROLL_DATA_DIR": str(tmp_path), "FILMROLL_LANGUAGE": "de"}).language
        == "de"
    )
    with pytest.raises(config.ConfigError, match="FILMROLL_LANGUAGE"):
        config.load({"FILMROLL_DATA_DIR": str(tmp_path), "FILMROLL_LANGUAGE": "fr"})
