"""The personas' mix: each load thread acts as its own few personas (so each persona's writes
are in order), paced together to a request rate."""

from __future__ import annotations

import io
import random
import secrets
import threading
import time

from bench.soak.client import Api, Tally
from bench.soak.ledger import Ledger, Person

PASSWORD = "a soak test passphrase"
# what a persona does, by weight: reads most, then likes and comments, fewer follows and uploads
MIX = {
    "feed": 28,
    "profile": 12,
    "photo": 6,
    "like": 18,
    "comment": 10,
    "follow": 12,
    "upload": 9,
    "signup": 2,
    "private": 3,
}


def jpeg(seed: int) -> bytes:
    """A small photo, different each time (so no two uploads are the same bytes)."""
    from PIL import Image

    rng = random.Random(seed)
    image = Image.new("RGB", (96, 72), tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(20):
        image.putpixel((rng.randrange(96), rng.randrange(72)), (rng.randrange(256),) * 3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Pace:
    """At most `rate` actions a second over all threads."""

    def __init__(self, rate: float) -> None:
        self.gap, self.next, self.lock = 1 / rate, time.monotonic(), threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            self.next = max(self.next + self.gap, now)
            delay = self.next - now
        if delay > 0:
            time.sleep(delay)


def sign_up(base: str, tally: Tally, ledger: Ledger) -> Person | None:
    name = "soak_" + secrets.token_hex(5)
    status, body = Api(base, tally).post(
        "accounts/signup",
        {"username": name, "password": PASSWORD, "email": f"{name}@example.com"},
    )
    if status != 201:
        if status >= 500 or status == 0:
            ledger.writes_answered_5xx += 1
        return None
    person = Person(int(body["data"]["user"]["id"]), name, body["data"]["access_token"])
    ledger.person(person)
    return person


class Persona:
    def __init__(self, person: Person, base: str, tally: Tally, ledger: Ledger, rng: random.Random):
        self.person, self.ledger, self.rng = person, ledger, rng
        self.api = Api(base, tally, person.token)
        self.base, self.tally = base, tally

    def _written(self, status: int) -> bool:
        if status >= 500 or status == 0:
            with self.ledger.lock:
                self.ledger.writes_answered_5xx += 1
        return 200 <= status < 300

    def _some_photo(self) -> int | None:
        """A photo this persona may see: its own or of someone it follows."""
        owners = [*self.ledger.followed_by(self.person.id), self.person.id]
        photos = self.ledger.photos_of(owners)
        return self.rng.choice(photos) if photos else None

    def act(self, action: str) -> None:
        getattr(self, action)()

    def feed(self) -> None:
        self.api.get("users/self/feed")

    def profile(self) -> None:
        people = list(self.ledger.people)
        self.api.get(f"users/{self.rng.choice(people)}")

    def photo(self) -> None:
        media_id = self._some_photo()
        if media_id:
            self.api.get(f"media/{media_id}")

    def like(self) -> None:
        media_id = self._some_photo()
        if media_id and self._written(self.api.post(f"media/{media_id}/likes")[0]):
            self.ledger.like(self.person.id, media_id)

    def comment(self) -> None:
        media_id = self._some_photo()
        if media_id is None:
            return
        status, body = self.api.post(
            f"media/{media_id}/comments", {"text": "soak " + secrets.token_hex(4)}
        )
        if self._written(status):
            self.ledger.comment(int(body["data"]["id"]), media_id, self.person.id)

    def follow(self) -> None:
        target = self.rng.choice(list(self.ledger.people))
        if target == self.person.id:
            return
        status, body = self.api.post(f"users/{target}/relationship", {"action": "follow"})
        if self._written(status) and body["data"]["outgoing_status"] == "follows":
            self.ledger.follow(self.person.id, target)

    def upload(self) -> None:
        sent = time.time()
        status, body = self.api.post(
            "media",
            {"caption": "soak #soak"},
            files={"image": ("p.jpg", jpeg(self.rng.randrange(10**9)), "image/jpeg")},
        )
        if self._written(status):
            self.ledger.upload(int(body["data"]["id"]), self.person.id, sent)
        elif status >= 500 or status == 0:
            self.ledger.upload_failed(self.person.id, sent, status)

    def signup(self) -> None:
        sign_up(self.base, self.tally, self.ledger)  # new people are picked up as follow targets

    def private(self) -> None:
        """Go private, or back to public."""
        wanted = not self.person.private
        status, _ = self.api.post("users/self", {"is_private": "true" if wanted else "false"})
        if self._written(status):
            self.person.private = wanted
        elif status >= 500 or status == 0:
            self.person.private = None


def run(personas: list[Persona], pace: Pace, stop: threading.Event, seed: int) -> None:
    """One load thread: its personas take turns until `stop`."""
    rng = random.Random(seed)
    actions, weights = list(MIX), list(MIX.values())
    while not stop.is_set():
        pace.wait()
        persona = rng.choice(personas)
        try:
            persona.act(rng.choices(actions, weights)[0])
        except Exception as error:  # a malformed answer is a finding, not the end of the run
            print(f"soak: {type(error).__name__}: {error}", flush=True)
