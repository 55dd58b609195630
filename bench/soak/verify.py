"""After the drain: every acknowledged write read back through the API, and each persona's feed
checked for lost and repeated photos."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bench.soak.client import Api
from bench.soak.ledger import Ledger
from filmroll.sharding import ids


def _ids(items: list | None) -> set[int] | None:
    return None if items is None else {int(item["id"]) for item in items}


def _answers_of(photos: dict[int, int], ledger: Ledger) -> Counter[str]:
    """What each of these photos' uploads was answered (a status, `conn` for none): the failed
    upload of its owner sent before the photo's ID was made and answered after."""
    found: Counter[str] = Counter()
    for media_id, owner in photos.items():
        made = ids.millis_of(media_id) / 1000
        answers = [
            status
            for who, sent, answered, status in ledger.failed_uploads
            if who == owner and sent - 1 <= made <= answered + 1
        ]
        found[answers[0] if len(answers) == 1 else "unknown"] += 1
    return found


def read_back(base: str, ledger: Ledger, threads: int = 4) -> dict[str, int]:
    """Counts of acknowledged writes not found (and of reads that failed, which hide findings)."""
    people = ledger.people
    api = {pid: Api(base, None, p.token) for pid, p in people.items()}
    lost: Counter[str] = Counter()

    def photos_of(pid: int) -> set[int] | None:
        return _ids(api[pid].pages(f"users/{pid}/media/recent", count=100))

    # every photo that exists, acknowledged or not: an upload answered 5xx may have been made,
    # and then it too must reach its owner's followers
    with ThreadPoolExecutor(threads) as pool:
        existing = dict(zip(people, pool.map(photos_of, list(people)), strict=True))
    if any(found is None for found in existing.values()):
        lost["reads that failed"] += 1
    made = {m: pid for pid, found in existing.items() for m in found or ()}
    unacknowledged = {m: pid for m, pid in made.items() if m not in ledger.uploads}
    lost["uploads answered 5xx but made"] = len(unacknowledged)
    for status, n in _answers_of(unacknowledged, ledger).items():
        lost[f"uploads answered 5xx but made: {status}"] = n

    def check_person(pid: int) -> Counter[str]:
        found: Counter[str] = Counter()
        me = api[pid]
        status, body = me.get("users/self")
        if status != 200:
            found["sign-ups"] += 1
            return found
        if people[pid].private is not None and body["data"]["is_private"] != people[pid].private:
            found["privacy settings"] += 1
        follows = [b for a, b in ledger.follows if a == pid]
        following = _ids(me.pages(f"users/{pid}/follows", count=100))
        followers = _ids(me.pages(f"users/{pid}/followed-by", count=100))
        liked = _ids(me.pages("users/self/media/liked", count=100))
        if None in (following, followers, liked):
            found["reads that failed"] += 1
            return found
        assert following is not None and followers is not None and liked is not None
        found["follows (follower's side)"] += sum(1 for b in follows if b not in following)
        found["follows (followed side)"] += sum(
            1 for a, b in ledger.follows if b == pid and a not in followers
        )
        found["likes (liker's side)"] += sum(
            1 for a, m in ledger.likes if a == pid and m not in liked
        )
        # the feed: each photo once; every photo of someone followed, posted after the follow
        # was acknowledged, is in it
        feed = me.pages("users/self/feed", count=100)
        if feed is None:
            found["reads that failed"] += 1
            return found
        seen = Counter(int(item["id"]) for item in feed)
        found["feed duplicates"] += sum(n - 1 for n in seen.values())
        since = {b: t for (a, b), t in ledger.follows.items() if a == pid}
        found["feed entries missing"] += sum(
            1
            for m, owner in made.items()
            if owner in since and ids.millis_of(m) / 1000 > since[owner] and m not in seen
        )
        return found

    def check_photo(media_id: int) -> Counter[str]:
        found: Counter[str] = Counter()
        owner = api[ledger.uploads[media_id][0]]
        status, _ = owner.get(f"media/{media_id}")
        if status == 404:
            found["uploads"] += 1
            return found
        likers = _ids(owner.pages(f"media/{media_id}/likes"))
        comments = _ids(owner.pages(f"media/{media_id}/comments", count=100))
        if status != 200 or likers is None or comments is None:
            found["reads that failed"] += 1
            return found
        found["likes (photo's side)"] += sum(
            1 for a, m in ledger.likes if m == media_id and a not in likers
        )
        found["comments"] += sum(
            1 for c, (m, _) in ledger.comments.items() if m == media_id and c not in comments
        )
        return found

    with ThreadPoolExecutor(threads) as pool:
        for found in pool.map(check_person, list(people)):
            lost.update(found)
        for found in pool.map(check_photo, list(ledger.uploads)):
            lost.update(found)
    return dict(lost)
