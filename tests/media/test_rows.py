"""Media rows (media/rows.py)."""

from __future__ import annotations

import dataclasses

from filmroll.media.rows import Media


def test_a_row_with_its_owner_is_the_row_dataclasses_replace_makes():
    row = Media(
        id=1, user_id=2, caption="c", filter="normal", location_id=3, latitude=1.5,
        longitude=2.5, images={"thumbnail": {"key": "k", "width": 150}}, blurhash="x", likes=4,
        comments=5, alt_text="a", sensitive=True, spoiler_text="s", people=((2, 0.5, 0.5),),
        carousel=({"images": {}},),
    )  # fmt: skip
    made = row.with_owner("the owner")
    assert made == dataclasses.replace(row, owner="the owner")
    assert vars(made) == vars(dataclasses.replace(row, owner="the owner"))
    assert made is not row and row.owner is None  # the row itself is left as it was
