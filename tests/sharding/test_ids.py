import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from filmroll.media import shortcodes
from filmroll.sharding import db, ids


def test_it_packs_time_shard_and_sequence():
    millis = ids.EPOCH_MS + 123_456_789
    object_id = ids.make_id(millis, 4321, 1030)
    decoded = ids.decode(object_id)
    assert decoded.shard == 4321
    assert decoded.sequence == 1030 % 1024
    assert ids.millis_of(object_id) == millis
    assert decoded.time == datetime.fromtimestamp(millis / 1000, tz=UTC)
    assert object_id >> 23 == 123_456_789


def test_it_sorts_by_time():
    now = int(time.time() * 1000)
    earlier = ids.make_id(now, 8191, 1023)
    later = ids.make_id(now + 1, 0, 0)
    assert earlier < later
    assert ids.lowest_id_at(now + 1) <= later


@pytest.mark.parametrize("raw", ["", "abc", "-5", "0", "1.5", "9223372036854775808", "١٢٣", " "])
def test_it_refuses_what_is_not_an_id(raw):
    with pytest.raises(ValueError):
        ids.parse(raw)


def test_it_refuses_an_id_from_the_future():
    future = ids.make_id(int(time.time() * 1000) + 3_600_000, 1, 1)
    with pytest.raises(ValueError, match="future"):
        ids.parse(future)


def test_it_refuses_a_shard_outside_13_bits():
    with pytest.raises(ValueError):
        ids.make_id(ids.EPOCH_MS, 8192, 0)


def test_it_makes_ids_on_the_shard_at_the_current_time():
    before = int(time.time() * 1000)
    made = {shard: db.new_ids(shard, 5) for shard in range(8)}
    after = int(time.time() * 1000)
    for shard, batch in made.items():
        assert len(set(batch)) == 5
        for object_id in batch:
            assert ids.shard_of(object_id) == shard
            # the database's clock and ours agree to well within a second here
            assert before - 1000 <= ids.millis_of(object_id) <= after + 1000


def test_it_decodes_on_the_command_line(capsys):
    object_id = ids.make_id(ids.EPOCH_MS + 86_400_000, 7, 9)
    call_command("ids", "decode", str(object_id))
    out = capsys.readouterr().out
    assert "time=2025-01-02T00:00:00.000Z" in out
    assert "shard=7" in out and "sequence=9" in out


def test_it_exits_2_with_a_clear_error_for_a_bad_id():
    with pytest.raises(CommandError) as raised:
        call_command("ids", "decode", "12", "not an id!", "https://example.com/ana/")
    assert raised.value.returncode == 2
    assert "'not an id!' is not an ID, nor a photo's shortcode or page address" in str(raised.value)
    assert "'https://example.com/ana/' is not an ID" in str(raised.value)


def test_it_decodes_shortcodes_and_the_addresses_of_photo_pages(capsys):
    object_id = ids.make_id(ids.EPOCH_MS + 86_400_000, 7, 9)
    code = shortcodes.encode(object_id)
    call_command(
        "ids", "decode", code, f"http://127.0.0.1:8000/p/{code}/", f"/p/{code}/like", f"p/{code}"
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    for line in lines:
        assert line.startswith(f"{object_id}  shortcode={code}  time=2025-01-02T00:00:00.000Z")
        assert line.endswith("shard=7  sequence=9")


@pytest.mark.django_db(databases=[])
def test_the_filmroll_command_exits_2_for_a_bad_id():
    done = subprocess.run(
        [sys.executable, "-m", "filmroll.cli", "ids", "decode", "-1"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "is not an ID" in done.stderr
