"""Demo data: a small community of people with avatars and bios who follow each other, post real
photographs (demo_photos) with captions, tags and places, like them and talk about them.

Nothing is downloaded: the photos come from a package the `demo` extra installs, or are painted
when it is not installed.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import make_password

from filmroll.accounts import users
from filmroll.accounts.models import User
from filmroll.files import images
from filmroll.graph import relationships
from filmroll.media import comments, filters, likes, photos, pipeline
from filmroll.media.samples import paint
from filmroll.ops import demo_photos
from filmroll.ops.demo_people import COMMENTS, PEOPLE, REPLIES
from filmroll.places import places

PASSWORD = "filmroll-demo"
EMAIL_DOMAIN = "demo.filmroll.example"
PHOTOS = 60  # about two posts of each photograph
# the filters people pick, most often none at all (as on the real thing)
LOOKS = ["normal"] * 6 + [f for f in filters.FILTERS if f != "normal"]


def login_line() -> str | None:
    """How to log in to the demo, while the demo account still has the demo password."""
    ana = User.objects.filter(
        username=PEOPLE[0].username, email__endswith=f"@{EMAIL_DOMAIN}"
    ).first()
    if ana is None or not ana.check_password(PASSWORD):
        return None
    return f"log in as {ana.username}, password {PASSWORD}"


def _people(rng: random.Random, progress: Callable[[str], None]) -> list[User]:
    people = [
        User.objects.create_user(
            p.username, f"{p.username}@{EMAIL_DOMAIN}", None, full_name=p.full_name, bio=p.bio
        )
        for p in PEOPLE
    ]
    # One hash for all: a slow password hash per demo account would dominate the seeding time.
    User.objects.filter(id__in=[p.id for p in people]).update(password=make_password(PASSWORD))
    by_theme = {
        theme: [photo for photo in demo_photos.CATALOGUE if photo.theme == theme]
        for theme in {photo.theme for photo in demo_photos.CATALOGUE}
    }
    for user, person in zip(people, PEOPLE, strict=True):
        source = rng.choice(by_theme[person.themes[0]]) if demo_photos.available() else None
        users.set_avatar(user, images.jpeg_bytes(demo_photos.avatar(rng, source)))
    progress(f"created {len(people)} people with avatars and bios (password {PASSWORD!r})")
    return people


def _follows(rng: random.Random, people: list[User]) -> None:
    """People follow those who post what they like to see, and a few others."""
    for user, person in zip(people, PEOPLE, strict=True):
        for other, them in zip(people, PEOPLE, strict=True):
            shared = set(person.themes) & set(them.themes)
            if other != user and rng.random() < (0.7 if shared else 0.25):
                relationships.follow(user, other)


def _photo(rng: random.Random, used: Counter, photo: demo_photos.Photo) -> tuple:
    """(image, caption) of a post of `photo`, framed differently when it comes round again;
    painted without the photographs."""
    if not demo_photos.available():
        return paint(rng, 1080, rng.choice([1080, 1350, 566])), "Painted light #demo"
    image = demo_photos.crop(rng, demo_photos.load(photo), again=used[photo.file] > 0)
    caption = photo.captions[used[photo.file] % len(photo.captions)]
    used[photo.file] += 1
    return image, caption


def seed(
    photo_count: int = PHOTOS, progress: Callable[[str], None] = print, rng_seed: int = 2012
) -> list[User]:
    """Create the demo people, their follows, photos, likes and comments; the people."""
    rng = random.Random(rng_seed)
    if not demo_photos.available():
        progress(
            "the demo's photographs are not installed (pip install -e '.[demo]'): painting them"
        )
    people = _people(rng, progress)
    _follows(rng, people)
    progress("made them follow each other")
    spots: dict[str, tuple[int, float, float]] = {}
    used: Counter = Counter()
    order = rng.sample(demo_photos.CATALOGUE, len(demo_photos.CATALOGUE))  # each in turn
    for n in range(photo_count):
        photo = order[n % len(order)]
        image, caption = _photo(rng, used, photo)
        theme, place = photo.theme, photo.place if demo_photos.available() else None
        owner = rng.choice([u for u, p in zip(people, PEOPLE, strict=True) if theme in p.themes])
        location: tuple[int | None, float | None, float | None] = (None, None, None)
        if place is not None:
            if place.name not in spots:
                spots[place.name] = (
                    places.create(owner.id, place),
                    place.latitude,
                    place.longitude,
                )
            location = spots[place.name]
        look = rng.choice(LOOKS)
        media_id = photos.publish(owner.id, pipeline.render(image, look), look, caption, location)
        _react(rng, people, owner, media_id, theme)
        if (n + 1) % 10 == 0 or n + 1 == photo_count:
            progress(f"posted {n + 1}/{photo_count} photos")
    ran = settle()
    if ran:
        progress(f"ran {ran} background tasks (feeds, activity, the discovery index)")
    return people


def _react(rng: random.Random, people: list[User], owner: User, media_id: int, theme: str) -> None:
    """Likes from a handful of people; sometimes a comment or two, and the owner's reply."""
    others = [p for p in people if p != owner]
    for fan in rng.sample(others, rng.randrange(0, 12)):
        likes.like(fan, media_id)
    if rng.random() < 0.55:
        for fan in rng.sample(others, rng.choice([1, 1, 2])):
            comments.add(fan, media_id, rng.choice(COMMENTS[theme] + COMMENTS["any"]))
            if rng.random() < 0.4:
                comments.add(owner, media_id, rng.choice(REPLIES).format(fan=fan.username))


def settle() -> int:
    """Run what the seeding queued (fan-out, activity, indexing) in the embedded default, so
    `filmroll serve` starts with nothing left to do; with a broker its workers do it."""
    if settings.FILMROLL.broker_url:
        return 0
    from filmroll.tasks import worker

    return worker.drain()
