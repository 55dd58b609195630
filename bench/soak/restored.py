"""Run in a restored install's settings: `python -m bench.soak.restored < writes.json` (the
ledger's `acknowledged()` at the start of the backup) prints, as JSON, how many of those writes
the restored databases lack, read straight from the shards (no cache), and how many of the
uploads' photo files the restored photo store lacks."""

import json
import sys
from collections import Counter

import django


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    django.setup()
    from filmroll.files import storage
    from filmroll.sharding import db, ids

    def has(on: int, sql: str, args: list) -> bool:
        return db.fetchone(ids.shard_of(on), sql, args) is not None

    wanted = json.load(sys.stdin)
    missing: Counter[str] = Counter()
    files = 0
    for media_id in wanted["uploads"]:
        row = db.fetchone(
            ids.shard_of(media_id), "SELECT images FROM {media} WHERE id = %s", [media_id]
        )
        if row is None:
            missing["uploads"] += 1
            continue
        keys = [size["key"] for size in json.loads(row[0]).values()]
        files += len(keys)
        missing["photo files"] += sum(1 for key in keys if not storage.exists(key))
    for a, b in wanted["follows"]:
        sql = "SELECT 1 FROM {following} WHERE user_id = %s AND target_id = %s"
        missing["follows (follower's side)"] += not has(a, sql, [a, b])
        sql = "SELECT 1 FROM {followers} WHERE user_id = %s AND follower_id = %s"
        missing["follows (followed side)"] += not has(b, sql, [b, a])
    for user, media_id in wanted["likes"]:
        sql = "SELECT 1 FROM {likes} WHERE media_id = %s AND user_id = %s"
        missing["likes (photo's side)"] += not has(media_id, sql, [media_id, user])
        sql = "SELECT 1 FROM {user_likes} WHERE user_id = %s AND media_id = %s"
        missing["likes (liker's side)"] += not has(user, sql, [user, media_id])
    for comment, media_id in wanted["comments"]:
        sql = "SELECT 1 FROM {comments} WHERE id = %s"
        missing["comments"] += not has(media_id, sql, [comment])
    print(json.dumps({"photo files checked": files, **{k: v for k, v in missing.items() if v}}))


if __name__ == "__main__":
    main()
