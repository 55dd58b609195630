"""Take your data with you: a ZIP of everything a person put into filmroll, built by a task,
kept in the photo storage under a private, unguessable key (files/storage.save_private), handed
out only to its owner (web/leaving.py, api/leaving.py) for FILMROLL_EXPORT_DAYS, then removed
(`expire`, a periodic task). One archive a day per person.

The archive holds:

- `profile.json`: the account;
- `photos/<id>.jpg` at the largest stored size, and `photos.json`: each photo's caption, alt
  text, filter, place, time, counts and the comments on it;
- `likes.json` (photos the person liked), `comments.json` (comments the person wrote anywhere),
  `followers.json`, `following.json`;
- `tables/<table>.json`: every row of the person's own shard tables, as the packages declare
  them (sharding/personal.py `Owned`): a feature that adds a table is exported with no change here.
"""

from __future__ import annotations

import datetime
import json
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from filmroll.accounts import counts
from filmroll.accounts.models import User
from filmroll.errors import NotFound, RateLimited
from filmroll.files import storage
from filmroll.leaving.models import Export
from filmroll.media import photos
from filmroll.media.rows import load_many
from filmroll.places import places
from filmroll.sharding import db, ids, personal, replicas, shardmap

ONCE_EVERY = timedelta(days=1)
LARGEST_FIRST = ("high_resolution", "standard_resolution", "low_resolution", "thumbnail")


class TooSoon(RateLimited):
    """One archive a day."""


def latest(user_id: int) -> Export | None:
    return Export.objects.filter(user_id=user_id).order_by("-requested").first()


def request(user: User, link_for: Callable[[int], str]) -> Export:
    """Ask for an archive; its task builds it and mails its link (`link_for(export_id)`, the
    page where the owner fetches it).
    TooSoon (429) when the person asked less than a day ago."""
    now = timezone.now()
    with transaction.atomic():
        # one at a time per person: the row lock (PostgreSQL) or the write lock (SQLite)
        User.objects.select_for_update().filter(id=user.id).first()
        last = latest(user.id)
        if last is not None and last.requested > now - ONCE_EVERY:
            hours = int((last.requested + ONCE_EVERY - now).total_seconds() // 3600) + 1
            raise TooSoon(f"one archive a day: ask again in {hours} hours")
        export = Export.objects.create(
            user_id=user.id,
            requested=now,
            expires=now + timedelta(days=settings.FILMROLL.export_days),
        )
        link = link_for(export.id)
        transaction.on_commit(lambda: _queue(export.id, link))
    return export


def _queue(export_id: int, link: str) -> None:
    from filmroll.tasks.dispatch import enqueue

    enqueue("leaving.build_export", export_id, link)


def status(export: Export | None) -> dict[str, Any]:
    """What the API and the settings page say about the person's latest archive."""
    if export is None:
        return {"state": "none"}
    now = timezone.now()
    state = "expired" if export.expires <= now else ("ready" if export.key else "building")
    return {
        "state": state,
        "requested": export.requested,
        "expires": export.expires,
        "size": export.size if state == "ready" else None,
        "next_allowed": export.requested + ONCE_EVERY,
    }


def ready_for(user_id: int, export_id: Any) -> Export:
    """The owner's built, unexpired archive; NotFound for anyone else's, as for a missing one."""
    try:
        found = Export.objects.filter(id=int(export_id), user_id=user_id).first()
    except (TypeError, ValueError):
        found = None
    if found is None or not found.key or found.expires <= timezone.now():
        raise NotFound("no such archive")
    return found


@replicas.on_primary
def build(export_id: int, link: str) -> None:
    """Make the archive, store it, mail the owner. Idempotent: a built archive is left alone."""
    export = Export.objects.filter(id=export_id).first()
    if export is None or export.key or export.expires <= timezone.now():
        return
    user = User.objects.filter(id=export.user_id).first()
    if user is None:
        return
    with tempfile.NamedTemporaryFile(
        dir=storage.private_folder(), suffix=".partial", delete=False
    ) as out:
        try:
            archive(user, out)
        except BaseException:
            Path(out.name).unlink(missing_ok=True)
            raise
        size = out.tell()
    key = storage.save_private(Path(out.name))
    updated = Export.objects.filter(id=export_id, key="").update(
        key=key, size=size, ready=timezone.now()
    )
    if not updated:  # another run got there first
        storage.delete_private(key)
        return
    if user.email:
        send_mail(
            "Your filmroll data is ready",
            f"Hello {user.username},\n\nthe archive of your filmroll data is ready. Download it"
            f" here (logged in as {user.username}) until"
            f" {export.expires:%Y-%m-%d %H:%M} UTC:\n\n{link}\n",
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )


def expire() -> int:
    """Remove archives past their time (files, then rows); how many. Also what a build killed
    mid-way left half written, a day on."""
    for partial in storage.private_folder().glob("*.partial"):
        if partial.stat().st_mtime < time.time() - ONCE_EVERY.total_seconds():
            partial.unlink(missing_ok=True)
    gone = 0
    for export in Export.objects.filter(expires__lte=timezone.now()):
        if export.key:
            storage.delete_private(export.key)
        export.delete()
        gone += 1
    return gone


def forget(user_id: int) -> None:
    """Every archive of a person whose account is deleted."""
    for export in Export.objects.filter(user_id=user_id):
        if export.key:
            storage.delete_private(export.key)
        export.delete()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str).encode()


def _time(object_id: int) -> str:
    return _at(ids.millis_of(object_id))


def _at(millis: int) -> str:
    return datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.UTC).isoformat()


def _names(user_ids: set[int]) -> dict[int, str]:
    return dict(User.objects.filter(id__in=user_ids).values_list("id", "username"))


def _people(user_id: int, table: str, column: str) -> list[dict[str, str]]:
    rows = db.fetchall(
        ids.shard_of(user_id),
        f"SELECT {column} FROM {{{table}}} WHERE user_id = %s ORDER BY {column}",
        [user_id],
    )
    names = _names({row[0] for row in rows})
    return [{"id": str(r[0]), "username": names[r[0]]} for r in rows if r[0] in names]


def _comments_by(user_id: int) -> list[dict[str, Any]]:
    """Comments the person wrote, on any photo: every shard is asked (no index by author)."""
    found: list[dict[str, Any]] = []
    for alias in shardmap.physicals():
        shards = shardmap.logical_on(alias)
        for shard in shards if db.is_postgres(alias) else shards[:1]:
            for comment_id, media_id, text in db.fetchall(
                shard,
                "SELECT id, media_id, text FROM {comments} WHERE user_id = %s ORDER BY id",
                [user_id],
            ):
                found.append({"id": str(comment_id), "media_id": str(media_id), "text": text,
                              "created_time": _time(comment_id)})  # fmt: skip
    return found


def _photos(out: zipfile.ZipFile, user_id: int) -> None:
    listed: list[dict[str, Any]] = []
    for batch in personal.media_ids(user_id):
        rows = load_many(batch)
        comments = db.select_by_keys("comments", batch, "id, user_id, text", key="media_id")
        authors = _names({c[2] for c in comments})
        by_media: dict[int, list[dict[str, Any]]] = {}
        for media_id, comment_id, author, text in sorted(comments, key=lambda c: c[1]):
            by_media.setdefault(media_id, []).append({
                "id": str(comment_id), "from": authors.get(author, ""), "text": text,
                "created_time": _time(comment_id),
            })  # fmt: skip
        places_found = places.get_many([m.location_id for m in rows.values() if m.location_id])
        for media_id in batch:
            media = rows.get(media_id)
            if media is None:
                continue
            # an album's photos after the cover as photos/<id>_2.jpg, _3, ...
            files = [
                _photo_file(
                    out, photo["images"], f"photos/{media_id}{f'_{n}' if n > 1 else ''}.jpg"
                )
                for n, photo in enumerate(media.photos, start=1)
            ]
            file = files[0]
            place = places_found.get(media.location_id) if media.location_id else None
            album = [{"file": f, "alt_text": photo["alt_text"], "filter": photo["filter"]}
                     for f, photo in zip(files, media.photos, strict=True)]  # fmt: skip
            listed.append({
                **({"album": album} if media.carousel else {}),  # every photo, the cover first
                "id": str(media_id), "file": file,
                "created_time": _time(media_id), "caption": media.caption,
                "alt_text": media.alt_text, "filter": media.filter,
                "location": place if place is not None else (
                    {"latitude": media.latitude, "longitude": media.longitude}
                    if media.latitude is not None else None),
                "likes": media.likes, "comments": by_media.get(media_id, []),
            })  # fmt: skip
    out.writestr("photos.json", _json(listed))


def _photo_file(out: zipfile.ZipFile, sizes: dict[str, dict], file: str) -> str | None:
    """A photo's largest stored size into the archive as `file`; None when it has none."""
    name = next((n for n in LARGEST_FIRST if n in sizes), None)
    if name is None:
        return None
    # JPEG does not shrink: stored as it is
    out.writestr(file, storage.read(sizes[name]["key"]), compress_type=zipfile.ZIP_STORED)
    return file


def _own_rows(out: zipfile.ZipFile, user_id: int) -> None:
    """Every row of the person's own shard tables, as the packages declare them."""
    shard = ids.shard_of(user_id)
    for d in personal.declarations():
        if not isinstance(d, personal.Owned):
            continue
        found = db.fetchall(
            shard,
            f"SELECT {d.seen_media or 'NULL'}, * FROM {{{d.table}}} WHERE {d.column} = %s",
            [user_id],
        )
        if d.seen_media:  # only photos the person may see now (a private owner's: not told)
            seen = {m.id for m in photos.visible_many(user_id, [r[0] for r in found])}
            found = [r for r in found if r[0] in seen]
        rows = [list(row[1:]) for row in found]
        out.writestr(f"tables/{d.table}.json", _json(rows))


def archive(user: User, target: IO[bytes]) -> None:
    """Write the ZIP of everything the person put into filmroll to `target`, a file at a time."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("profile.json", _json({
            "id": str(user.id), "username": user.username, "full_name": user.full_name,
            "email": user.email, "bio": user.bio, "website": user.website,
            "is_private": user.is_private, "date_joined": user.date_joined.isoformat(),
            "counts": counts.for_users([user.id])[user.id],
            "profile_picture": "profile_picture.jpg" if user.avatar_key else None,
        }))  # fmt: skip
        if user.avatar_key:
            out.writestr("profile_picture.jpg", storage.read(user.avatar_key))
        _photos(out, user.id)
        liked = db.fetchall(
            ids.shard_of(user.id),
            "SELECT media_id, created_ms FROM {user_likes} WHERE user_id = %s ORDER BY media_id",
            [user.id],
        )
        out.writestr("likes.json", _json([
            {"media_id": str(m), "liked_time": _at(t)} for m, t in liked
        ]))  # fmt: skip
        out.writestr("comments.json", _json(_comments_by(user.id)))
        out.writestr("followers.json", _json(_people(user.id, "followers", "follower_id")))
        out.writestr("following.json", _json(_people(user.id, "following", "target_id")))
        _own_rows(out, user.id)
