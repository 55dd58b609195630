"""What staff do from the admin: remove a photo (exactly as its owner deleting it: the row, the
files, every feed, the index), remove a comment, settle reports."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError

from filmroll.accounts.models import User
from filmroll.errors import Invalid, NotFound
from filmroll.media import comments, photos, rows
from filmroll.moderation.models import Report


def report(reporter: User, media_id: int, reason: Any) -> Report:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 300:
        raise Invalid("say why, in at most 300 characters")
    try:
        return Report.objects.create(
            media_id=media_id, reporter_id=reporter.id, reason=reason.strip()
        )
    except IntegrityError:
        return Report.objects.get(media_id=media_id, reporter_id=reporter.id)


def owner_of(media_id: int) -> User:
    media = rows.load_many([media_id]).get(media_id)
    owner = User.objects.filter(id=media.user_id).first() if media else None
    if owner is None:
        raise NotFound("no such photo")
    return owner


def remove_photo(media_id: int) -> None:
    """As if the owner deleted it; reports of it are settled as "removed"."""
    try:
        owner = owner_of(media_id)
    except NotFound:
        pass  # gone already
    else:
        photos.delete(owner, media_id)
    Report.objects.filter(media_id=media_id, resolution="").update(resolution="removed")


def remove_comment(media_id: int, comment_id: int) -> None:
    comments.delete(owner_of(media_id), media_id, comment_id)  # as the photo's owner may
