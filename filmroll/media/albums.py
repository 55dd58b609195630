"""Albums (carousel posts): up to ten photos posted as one, each with its own filter, alt text
and sizes. The post is one media row, its first photo the cover (so grids, feeds, search and the
map read it as any photo), the others in the row's `carousel` column (rows.Media.carousel);
likes, comments, the caption, the place, people and the content warning are the post's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from filmroll.accounts.models import User
from filmroll.errors import Invalid
from filmroll.media import edits, filters, photos, pipeline

MAX_PHOTOS = 10


def per_photo(given: Sequence[Any], count: int, name: str, default: Any) -> list[Any]:
    """One value a photo from a list parallel to the photos: missing or empty items are
    `default`, more items than photos are refused."""
    if len(given) > count:
        raise Invalid(f"{name} has {len(given)} items for {count} photos")
    values = [default if value in (None, "") else value for value in given]
    return values + [default] * (count - len(values))


def post(user: User, files: Sequence[bytes], caption: Any = "",
         filter_names: Sequence[Any] = (), alt_texts: Sequence[Any] = (),
         lat: Any = None, lng: Any = None, location_id: Any = None,
         sensitive: Any = False, spoiler_text: Any = "",
         tools: Mapping[str, Any] | None = None) -> int:  # fmt: skip
    """Post the photos as one album, the first the cover: the new media ID. Everything cheap is
    checked first, then every photo is decoded and rendered before anything is stored, so one
    bad photo refuses the album and leaves nothing behind. The editing tools apply to every
    photo. One photo is a single photo's post, exactly as photos.post makes it."""
    if not files:
        raise Invalid("image[] is required: send the album's photos as files named image[]")
    if len(files) > MAX_PHOTOS:
        raise Invalid(f"an album holds at most {MAX_PHOTOS} photos; {len(files)} were sent")
    names = []
    for value in per_photo(filter_names, len(files), "filter[]", "normal"):
        if not isinstance(value, str):
            raise Invalid("filter must be a filter's name")
        names.append(filters.named(value))
        if names[-1] not in filters.FILTERS:  # before any photo is decoded
            raise Invalid(f"no filter named {value!r}; GET /api/v1/media/filters lists them")
    alts = [photos.check_alt_text(v) for v in per_photo(alt_texts, len(files), "alt_text[]", "")]
    caption = photos.check_caption(caption)
    spoiler = photos.check_spoiler_text(spoiler_text)
    warning = (photos.check_sensitive(sensitive) or bool(spoiler), spoiler)
    location = photos.resolve_location(lat, lng, location_id)
    asked = edits.parse(tools or {})
    rendered = []
    for number, (data, name) in enumerate(zip(files, names, strict=True), start=1):
        try:
            rendered.append(pipeline.process(data, name, asked))
        except Invalid as error:
            if len(files) == 1:
                raise
            raise Invalid(f"image {number} of {len(files)}: {error.message}") from None
    more = list(zip(rendered[1:], names[1:], alts[1:], strict=True))
    return photos.publish(
        user.id, rendered[0], names[0], caption, location, alts[0], warning, more=more
    )
