"""Demo data: people who follow each other and photos with captions, tags and places.

Photos are painted (filmroll.media.samples), so nothing is downloaded.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.contrib.auth.hashers import make_password

from filmroll.accounts.models import User
from filmroll.graph import relationships
from filmroll.media import comments, filters, likes, photos, pipeline
from filmroll.media.samples import paint
from filmroll.places import places

PASSWORD = "filmroll-demo"
NAMES = [
    ("ana", "Ana Sousa"), ("bo", "Bo Lindqvist"), ("chen", "Chen Wei"), ("dara", "Dara Okafor"),
    ("emil", "Emil Novák"), ("fatima", "Fatima Zahra"), ("gus", "Gus Ramírez"), ("hana", "Hana Sato"),
    ("ivo", "Ivo Petrov"), ("jules", "Jules Martin"), ("kiri", "Kiri Walker"), ("lena", "Lena Vogel"),
    ("mo", "Mo Haddad"), ("nia", "Nia Evans"), ("oskar", "Oskar Berg"), ("priya", "Priya Nair"),
    ("quinn", "Quinn Taylor"), ("rafa", "Rafa Costa"), ("sofia", "Sofía Herrera"), ("tomas", "Tomás Ruiz"),
    ("uma", "Uma Iyer"), ("vic", "Vic Dubois"), ("wren", "Wren Hughes"), ("xia", "Xia Lin"),
    ("yusuf", "Yusuf Demir"), ("zoe", "Zoë Laurent"), ("aiko", "Aiko Mori"), ("ben", "Ben Adler"),
    ("cleo", "Cleo Brooks"), ("dev", "Dev Kapoor"), ("elif", "Elif Yılmaz"), ("finn", "Finn Murphy"),
]  # fmt: skip
PLACES = [
    places.Place("Lisbon, Alfama", 38.7114, -9.1300), places.Place("Kyoto, Arashiyama", 35.0094, 135.6668),
    places.Place("Reykjavík harbour", 64.1500, -21.9400), places.Place("Cape Town, Camps Bay", -33.9510, 18.3776),
    places.Place("Brooklyn Bridge", 40.7061, -73.9969), places.Place("Valparaíso", -33.0458, -71.6197),
    places.Place("Tromsø", 69.6492, 18.9553), places.Place("Marrakech medina", 31.6295, -7.9811),
    places.Place("Sydney, Bondi", -33.8908, 151.2743), places.Place("Hallstatt", 47.5622, 13.6493),
    places.Place("Taveuni, Fiji", -16.8500, 179.9800), places.Place("Svalbard, Longyearbyen", 78.2232, 15.6267),
]  # fmt: skip
WORDS = ["golden hour", "first light", "long walk", "quiet morning", "after the rain", "blue hour",
         "weekend", "by the water", "old town", "on film", "summer", "late again"]  # fmt: skip
REMARKS = ["Beautiful light!", "Love this one", "Where is this?", "Wow", "So calm", "Take me there"]
TAGS = ["sunset", "travel", "filmroll", "sky", "sea", "hills", "latergram", "nofilter", "wanderlust",
        "morning", "blue", "golden", "photography", "weekend"]  # fmt: skip


def seed(
    photo_count: int = 240, progress: Callable[[str], None] = print, rng_seed: int = 2012
) -> list[User]:
    """Create the demo people, their follows and photos; the people."""
    rng = random.Random(rng_seed)
    people = [
        User.objects.create_user(
            username, f"{username}@demo.filmroll.example", None, full_name=full_name
        )
        for username, full_name in NAMES
    ]
    # One hash for all: a slow password hash per demo account would dominate the seeding time.
    User.objects.filter(id__in=[p.id for p in people]).update(password=make_password(PASSWORD))
    progress(f"created {len(people)} people (password {PASSWORD!r})")
    for person in people:
        for other in rng.sample([p for p in people if p != person], rng.randrange(6, 16)):
            relationships.follow(person, other)
    progress("made them follow each other")
    spots = [(places.create(rng.choice(people).id, p), p.latitude, p.longitude) for p in PLACES]
    looks = list(filters.FILTERS)
    for n in range(photo_count):
        owner = rng.choice(people)
        tags = " ".join(f"#{t}" for t in rng.sample(TAGS, rng.randrange(1, 4)))
        caption = f"{rng.choice(WORDS).capitalize()} {tags}"
        location = rng.choice(spots) if rng.random() < 0.7 else None
        height = rng.choice([1080, 1350, 566])  # square, 4:5 portrait, 1.91:1 landscape
        look = rng.choice(looks)
        rendered = pipeline.render(paint(rng, 1080, height), look)
        media_id = photos.publish(owner.id, rendered, look, caption, location or (None, None, None))
        for fan in rng.sample(people, rng.randrange(0, 7)):  # likes and a few comments
            if fan != owner:
                likes.like(fan, media_id)
        if rng.random() < 0.3:
            fan = rng.choice([p for p in people if p != owner])
            comments.add(fan, media_id, f"{rng.choice(REMARKS)} @{owner.username}")
        if (n + 1) % 20 == 0 or n + 1 == photo_count:
            progress(f"painted and posted {n + 1}/{photo_count} photos")
    return people
