"""The screenshot gallery: from the design tests' shots (var/test-embedded/screenshots/design/),
phone shots of every page in both themes and desktop shots in the light theme, as small PNGs
(a reduced palette) in docs/screenshots/, and docs/screenshots.md to show them. Run by
scripts/screenshots after the tests."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "var" / "test-embedded" / "screenshots" / "design"
DOCS = ROOT / "docs"
PAGES = {  # in the order of tests/web/test_design.py's PAGES
    "welcome": "Welcome (signed out)",
    "signup": "Sign up",
    "login": "Log in",
    "password-reset": "Forgotten password",
    "feed": "Home feed",
    "feed-empty": "A new account's empty feed, with people to follow",
    "photo": "A photo's page",
    "photo-album": "An album: several photos in one post",
    "edit": "Edit your photo",
    "profile": "Profile",
    "profile-private": "A private profile, seen by a stranger",
    "block-confirm": "Block asks first",
    "mute-confirm": "Mute asks first",
    "followers": "Followers",
    "following": "Following",
    "photo-map": "Photo Map",
    "saved": "Saved photos",
    "profile-tagged": "Photos of you",
    "explore": "Explore: popular",
    "tag": "A tag",
    "place": "A place",
    "nearby": "Nearby",
    "people": "Find people",
    "activity": "Activity",
    "activity-following": "Activity: Following",
    "upload": "Post a photo",
    "settings": "Settings",
    "password": "Change password",
    "two-factor": "Two-factor log-in",
    "delete-account": "Delete your account",
    "data": "Download your data",
    "requests": "Follow requests",
    "oauth-authorize": "An app asks for access (OAuth)",
    "api-docs": "API reference",
    "not-found": "Not found (404)",
    "forbidden": "Not allowed (403)",
}
KEPT = (("phone", "light", 390), ("phone", "dark", 390), ("desktop", "light", 1280))


def small_png(source: Path, target: Path, width: int) -> None:
    with Image.open(source) as image:
        picture = image.convert("RGB")
        if picture.width != width:
            picture = picture.resize((width, round(picture.height * width / picture.width)))
        picture.quantize(colors=128, dither=Image.Dither.NONE).save(target, optimize=True)


def main() -> int:
    folder = DOCS / "screenshots"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    lines = [
        "# Screenshots",
        "",
        "Every page of the web app as `tests/web/test_design.py` draws it in Chromium: on a phone",
        "(390×844) in the light and the dark theme, and on a desktop (1280×800) in the light theme.",
        "Each passed axe-core (no serious or critical violation) in both themes at both sizes.",
        "`scripts/screenshots` refreshes them; every run of the test leaves the full set (both",
        "themes at both sizes) in `var/test-embedded/screenshots/design/`.",
        "",
    ]
    for name, title in PAGES.items():
        shots = []
        for size, theme, width in KEPT:
            source = SHOTS / f"{name}-{size}-{theme}.png"
            if not source.exists():
                print(f"gallery: no shot {source}", file=sys.stderr)
                return 1
            small_png(source, folder / source.name, width)
            shots.append(f"![{title}: {size}, {theme} theme](screenshots/{source.name})")
        lines += [f"## {title}", "", f"{shots[0]} {shots[1]}", "", shots[2], ""]
    (DOCS / "screenshots.md").write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
