import io
import json
import random

from PIL import Image

from filmroll.accounts import counts
from filmroll.accounts.models import User
from filmroll.activity import events
from filmroll.files import storage
from filmroll.media import samples
from filmroll.ops import demo
from filmroll.sharding import db, ids


def test_demo_people_follow_each_other_and_post_photos_with_tags_and_places():
    people = demo.seed(photo_count=6, progress=lambda line: None)
    assert len(people) == len(demo.NAMES)
    ana = User.objects.get(username="ana")
    assert ana.check_password(demo.PASSWORD)
    per_user = counts.for_users(p.id for p in people)
    assert sum(c["media"] for c in per_user.values()) == 6
    assert (
        sum(c["follows"] for c in per_user.values())
        == sum(c["followed_by"] for c in per_user.values())
        > 0
    )
    posted = []
    for person in people:
        rows = db.fetchall(
            person.shard,
            "SELECT id, caption, location_id, images FROM {media} WHERE user_id = %s",
            [person.id],
        )
        posted += [(person, *row) for row in rows]
    assert len(posted) == 6
    for person, media_id, caption, _, images in posted:
        assert ids.shard_of(media_id) == person.shard  # a photo lives on its owner's shard
        assert "#" in caption
        sizes = json.loads(images)
        assert set(sizes) == {
            "thumbnail",
            "low_resolution",
            "standard_resolution",
            "high_resolution",
        }
        assert (sizes["thumbnail"]["width"], sizes["thumbnail"]["height"]) == (150, 150)
        assert sizes["high_resolution"]["width"] == 1080
        thumb = Image.open(io.BytesIO(storage.read(sizes["thumbnail"]["key"])))
        assert thumb.format == "JPEG" and thumb.size == (150, 150)
    assert any(location_id for *_, location_id, _ in posted)

    made = [e for person in people for e in events.page(person.id, None, 100)]
    assert {e.kind for e in made} >= {"follow", "like"}


def test_the_painted_photos_differ():
    rng = random.Random(1)
    first, second = samples.paint(rng, 200, 200), samples.paint(rng, 200, 200)
    assert first.size == (200, 200)
    assert first.tobytes() != second.tobytes()
