"""The demo's photographs: real photos shipped inside the mvtb-data package (the Machine Vision
Toolbox for Python's sample images, MIT licence; credits in docs/demo-photos.md), installed by
the `demo` extra (`pip install -e '.[demo]'`, which `make demo` runs). Nothing is downloaded at
run time; without the package the demo paints its photos instead (filmroll.media.samples).
"""

from __future__ import annotations

import importlib.util
import random
from dataclasses import dataclass
from importlib import resources

from PIL import Image

from filmroll.media.samples import paint
from filmroll.places.places import Place

PACKAGE = "mvtbdata"

# places the photos were taken in (or near enough for a demo)
GARDENS_POINT = Place("Gardens Point, Brisbane", -27.4767, 153.0285)
FLORIADE = Place("Commonwealth Park, Canberra", -35.2880, 149.1340)
CHAMP_DE_MARS = Place("Champ de Mars, Paris", 48.8556, 2.2986)
NOTRE_DAME = Place("Notre-Dame de Paris", 48.8530, 2.3499)
NULLARBOR = Place("Eyre Highway, Nullarbor Plain", -31.4500, 130.9000)
BOULDERS = Place("Boulders Beach, Simon's Town", -34.1975, 18.4510)


@dataclass(frozen=True)
class Photo:
    file: str  # under mvtbdata/images/
    theme: str  # who posts it: people whose themes include it (demo_people)
    captions: tuple[str, ...]
    place: Place | None = None


CATALOGUE = [
    Photo("flowers1.png", "garden", ("Tulip field, no filter needed #tulips #spring",
                                     "Pink on pink on pink #floriade #tulips"), FLORIADE),
    Photo("flowers2.png", "garden", ("Tiny white ones everywhere #flowers #spring",
                                     "Ground cover goals #garden"), FLORIADE),
    Photo("flowers3.png", "garden", ("Yellow border along the path #flowers #garden",), FLORIADE),
    Photo("flowers4.png", "garden", ("Red tulips, finally open #tulips",
                                     "Two days of sun and look at them #spring #tulips"), FLORIADE),
    Photo("flowers5.png", "garden", ("Yellow tulips are the happiest flower, fight me #tulips",),
          FLORIADE),
    Photo("flowers6.png", "garden", ("Irises against the old wall #iris #garden",)),
    Photo("flowers7.png", "garden", ("Every colour at once #floriade #flowers",), FLORIADE),
    Photo("flowers8.png", "garden", ("Soft pinks this morning #tulips #morning",), FLORIADE),
    Photo("flowers9.png", "garden", ("Red and yellow, standing tall #tulips #spring",), FLORIADE),
    Photo("campus/P1070491.png", "campus", ("Red brick and late sun #architecture #brisbane",),
          GARDENS_POINT),
    Photo("campus/P1070498.png", "campus", ("Office hours, outdoor edition #campus #coffee",
                                            "Under the blue umbrellas again #campus"), GARDENS_POINT),
    Photo("campus/P1070499.png", "campus", ("Lunch spot secured #campus",), GARDENS_POINT),
    Photo("campus/P1070504.png", "campus", ("The courtyard in winter light #campus #trees",),
          GARDENS_POINT),
    Photo("campus/P1070505.png", "campus", ("Columns and palms #architecture #campus",),
          GARDENS_POINT),
    Photo("campus/P1070506.png", "campus", ("Picnic on the lawn after exams #campus #brisbane",
                                            "Old Government House, still the best lawn in town"),
          GARDENS_POINT),
    Photo("campus/P1070507.png", "campus", ("Verandas were made for afternoons like this"
                                            " #architecture",), GARDENS_POINT),
    Photo("campus/P1070509.png", "campus", ("This tree has seen a lot of graduations #trees",),
          GARDENS_POINT),
    Photo("campus/P1070510.png", "campus", ("Curved balconies #architecture #sandstone",),
          GARDENS_POINT),
    Photo("campus/P1070512.png", "campus", ("Palm canopy #trees #green",), GARDENS_POINT),
    Photo("campus/P1070514.png", "campus", ("Sandstone and shade #brisbane",), GARDENS_POINT),
    Photo("campus/holdout/P1070508.png", "campus", ("Quiet corner of the lawn #campus",),
          GARDENS_POINT),
    Photo("eiffel-1.png", "paris", ("Obligatory, but look at those clouds #paris #eiffeltower",),
          CHAMP_DE_MARS),
    Photo("eiffel-2.png", "paris", ("Blue sky day on the Champ de Mars #paris",
                                    "Picnic with a view #paris #eiffeltower"), CHAMP_DE_MARS),
    Photo("notre-dame.png", "paris", ("Notre-Dame from the square #paris #architecture",),
          NOTRE_DAME),
    Photo("building2-1.png", "paris", ("Balconies, balconies, balconies #paris #bw",)),
    Photo("church.png", "wander", ("A white church under a big sky #travel #sky",
                                   "Sunday drive, found this #church")),
    Photo("road.png", "wander", ("Straight for the next 146 km #roadtrip #outback",
                                 "Day three: still no corners #roadtrip"), NULLARBOR),
    Photo("penguins.png", "wander", ("Best road sign in the world #penguins #travel",),
          BOULDERS),
    Photo("rocks2-l.png", "wander", ("Sandstone, up close #rocks #geology",)),
    Photo("roof.png", "home", ("Rooftop with a little dome #architecture",)),
    Photo("parks.png", "home", ("The long way home through the park #walk #trees",
                                "Morning walk #park")),
    Photo("walls-l.png", "home", ("Brick, windows, repeat #architecture #texture",)),
    Photo("tomato_54.png", "home", ("First cherry tomatoes of the year #garden #homegrown",)),
    Photo("street.png", "home", ("Quiet street, loud scooter #bw #street",)),
]  # fmt: skip


def available() -> bool:
    return importlib.util.find_spec(PACKAGE) is not None


def load(photo: Photo) -> Image.Image:
    with (
        resources.as_file(resources.files(PACKAGE) / "images" / photo.file) as path,
        Image.open(path) as image,
    ):
        return image.convert("RGB")


def crop(rng: random.Random, image: Image.Image, again: bool) -> Image.Image:
    """The photo as first posted, or (`again`) another framing of it: a square, 4:5 or wide crop
    of part of it, so a photo posted twice does not look the same twice."""
    if not again:
        return image
    width, height = image.size
    aspect = rng.choice([1.0, 0.8, 1.91])
    scale = rng.uniform(0.6, 0.9)
    w = min(width, round(min(width, height * aspect) * scale))
    h = min(height, round(w / aspect))
    left, top = rng.randrange(width - w + 1), rng.randrange(height - h + 1)
    return image.crop((left, top, left + w, top + h))


def avatar(rng: random.Random, photo: Photo | None) -> Image.Image:
    """A profile picture: a square detail of one of the photos (or painted, without them)."""
    if photo is None:
        return paint(rng, 320, 320)
    image = load(photo)
    side = round(min(image.size) * rng.uniform(0.35, 0.6))
    left = rng.randrange(image.width - side + 1)
    top = rng.randrange(image.height - side + 1)
    return image.crop((left, top, left + side, top + side))
