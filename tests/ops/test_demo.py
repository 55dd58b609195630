import io
import json
import random

from PIL import Image

from filmroll.accounts import counts
from filmroll.accounts.models import User
from filmroll.activity import events
from filmroll.files import storage
from filmroll.media import samples
from filmroll.ops import demo, demo_photos
from filmroll.ops.demo_people import PEOPLE
from filmroll.sharding import db, ids


def test_demo_people_follow_each_other_and_post_photos_with_tags_and_places():
    people = demo.seed(photo_count=6, progress=lambda line: None)
    assert len(people) == len(PEOPLE)
    ana = User.objects.get(username="ana")
    assert ana.check_password(demo.PASSWORD)
    assert demo.login_line() == "log in as ana, password filmroll-demo"
    about = {p.username: p for p in PEOPLE}
    for person in User.objects.filter(id__in=[p.id for p in people]):
        assert person.bio == about[person.username].bio
        assert person.full_name == about[person.username].full_name
        avatar = Image.open(io.BytesIO(storage.read(person.avatar_key)))
        assert avatar.size == (320, 320)
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
    captions = {c for photo in demo_photos.CATALOGUE for c in photo.captions}
    for person, media_id, caption, _, images in posted:
        assert ids.shard_of(media_id) == person.shard  # a photo lives on its owner's shard
        assert caption in captions  # a photograph of the catalogue, as captioned there
        sizes = json.loads(images)
        assert set(sizes) == {
            "thumbnail",
            "low_resolution",
            "standard_resolution",
            "high_resolution",
        }
        assert (sizes["thumbnail"]["width"], sizes["thumbnail"]["height"]) == (150, 150)
        assert sizes["high_resolution"]["width"] >= 640  # never upscaled, and none is smaller
        thumb = Image.open(io.BytesIO(storage.read(sizes["thumbnail"]["key"])))
        assert thumb.format == "JPEG" and thumb.size == (150, 150)
    assert any(location_id for *_, location_id, _ in posted)

    made = [e for person in people for e in events.page(person.id, None, 100)]
    assert {e.kind for e in made} >= {"follow", "like"}


def test_the_demo_photos_are_the_photographs_of_the_package_each_readable():
    assert demo_photos.available()  # the test extra installs the demo's
    for photo in demo_photos.CATALOGUE:
        image = demo_photos.load(photo)
        assert image.mode == "RGB" and min(image.size) >= 400, photo.file


def test_a_photo_posted_again_is_framed_differently():
    photo = demo_photos.CATALOGUE[0]
    first = demo_photos.crop(random.Random(3), demo_photos.load(photo), again=False)
    again = demo_photos.crop(random.Random(3), demo_photos.load(photo), again=True)
    assert first.size == demo_photos.load(photo).size and again.size != first.size


def test_the_demo_log_in_is_not_offered_once_its_password_changed():
    demo.seed(photo_count=0, progress=lambda line: None)
    ana = User.objects.get(username="ana")
    ana.set_password("a private passphrase now")
    ana.save()
    assert demo.login_line() is None


def test_the_painted_photos_differ():
    rng = random.Random(1)
    first, second = samples.paint(rng, 200, 200), samples.paint(rng, 200, 200)
    assert first.size == (200, 200)
    assert first.tobytes() != second.tobytes()
