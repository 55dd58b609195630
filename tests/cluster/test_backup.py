"""`filmroll backup`, then `filmroll restore` into a fresh install (empty databases, an empty
photo store, an empty sessions Redis): everything comes back, photos and sessions too."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import redis

from filmroll.cluster.topology import PHYSICALS
from tests.cluster.conftest import FILMROLL, Cluster, post_photo
from tests.support.servers import free_port


def fresh(cluster: Cluster, name: str, data_dir: Path, sessions_port: int) -> dict[str, str]:
    """Settings of a fresh install beside the cluster: new, empty databases on the same servers
    stand in for new servers, a new data directory for a new photo store."""
    where = cluster.where
    data_dir.mkdir(parents=True)
    return {
        **cluster.env(),
        "FILMROLL_DATA_DIR": str(data_dir),
        "FILMROLL_SESSION_REDIS": f"redis://127.0.0.1:{sessions_port}/0",
        "FILMROLL_DATABASE_URL": where.pg_url("global", f"{name}_global"),
        "FILMROLL_INDEX_DATABASE": where.pg_url("global", f"{name}_index"),
        "FILMROLL_SHARD_DATABASES": ",".join(
            f"{p}={where.pg_url(p, f'{name}_{p}')}" for p in PHYSICALS
        ),
        "FILMROLL_SHARD_REPLICAS": "",
        "FILMROLL_MAINTENANCE_DATABASES": ",".join(
            [
                f"global={where.pg_url('global', f'{name}_global', pooled=False)}",
                f"index={where.pg_url('global', f'{name}_index', pooled=False)}",
                *(f"{p}={where.pg_url(p, f'{name}_{p}', pooled=False)}" for p in PHYSICALS),
            ]
        ),
    }


def post_album(cluster: Cluster, user: str) -> str:
    """Post a three-photo album through nginx; its media ID."""
    from tests.support.images import jpeg_bytes

    with cluster.client(user) as http:
        reply = http.post(
            "/api/v1/media",
            files=[
                ("image[]", (f"{n}.jpg", jpeg_bytes((320 - 20 * n, 240)), "image/jpeg"))
                for n in range(3)
            ],
        )
    assert reply.status_code == 201, reply.text
    return reply.json()["data"]["id"]


def sessions_primary(cluster: Cluster) -> redis.Redis:
    sentinel = redis.Redis(port=cluster.where.port("redis_sentinel"))
    host, port = sentinel.sentinel_get_master_addr_by_name("sessions")
    return redis.Redis(host=host, port=int(port))


def test_a_backup_restores_into_empty_databases_with_every_row(cluster: Cluster, tmp_path) -> None:
    for name in ("bkana", "bkben"):
        cluster.sign_up(name)
    photo = post_photo(cluster, "bkana", "to keep")
    album = post_album(cluster, "bkana")
    with cluster.client("bkben") as http:
        http.post(f"/api/v1/media/{photo}/likes").raise_for_status()
        http.post(f"/api/v1/media/{photo}/comments", data={"text": "kept"}).raise_for_status()
        http.post(
            f"/api/v1/users/{cluster.users['bkana']['id']}/relationship", data={"action": "follow"}
        ).raise_for_status()

    sessions_primary(cluster).set("test:backup:session", "kept")
    folder = tmp_path / "backup"
    cluster.filmroll("backup", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["users"] >= 2 and counts["media"] >= 1 and counts["likes"] >= 1
    assert counts["comments"] >= 1 and counts["following"] >= 1 and counts["followers"] >= 1
    assert len(manifest["redis"]) == 3
    assert all((folder / name).stat().st_size > 0 for name in manifest["redis"])
    assert manifest["sessions_rdb"].startswith("redis-sessions-")
    # the photos themselves: every size of the photo, byte for byte
    media = cluster.where.data_dir / "media"
    with cluster.client("bkana") as http:
        images = http.get(f"/api/v1/media/{photo}").json()["data"]["images"]
        pictures = http.get(f"/api/v1/media/{album}").json()["data"]["carousel_media"]
    keys = [size["url"].split("/media/", 1)[1] for size in images.values()]
    # every photo of an album, not only its cover (the row's carousel column)
    keys += [s["url"].split("/media/", 1)[1] for p in pictures for s in p["images"].values()]
    listed = (folder / "photos.txt").read_text().split()
    assert set(keys) <= set(listed) and manifest["photos"] == len(listed)
    for key in keys:
        assert (folder / "photos" / key).read_bytes() == (media / key).read_bytes()

    sessions = subprocess.Popen(
        ["redis-server", "--port", str(port := free_port()), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        empty = fresh(cluster, "restored", tmp_path / "fresh", port)
        done = subprocess.run(
            [FILMROLL, "restore", str(folder)], env=empty, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "restored and checked" in done.stdout
        assert f"keys loaded from {manifest['sessions_rdb']}" in done.stdout
        assert redis.Redis(port=port).get("test:backup:session") == b"kept"
    finally:
        sessions.terminate()
        sessions.wait()
    restored_media = tmp_path / "fresh" / "media"
    for key in listed:
        assert (restored_media / key).read_bytes() == (folder / "photos" / key).read_bytes()

    # the restored install answers with the same people and things
    check = subprocess.run(
        [FILMROLL, "shell", "-c", f"""
import json
from filmroll.accounts.models import User
from filmroll.media import comments, likes
from filmroll.graph import edges
ana, ben = User.objects.get(username="bkana"), User.objects.get(username="bkben")
media = {photo}
print(json.dumps({{
    "liked": media in likes.liked_by_viewer(ben.id, [media]),
    "comments": [c.text for c in comments.page(ben, str(media), None, 10).comments],
    "follows": edges.follows(ben.id, ana.id),
}}))
"""],
        env=empty, capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    found = json.loads(check.stdout.strip().splitlines()[-1])
    assert found == {"liked": True, "comments": ["kept"], "follows": True}

    # a second restore into the same (now full) databases is refused, nothing touched
    again = subprocess.run(
        [FILMROLL, "restore", str(folder)], env=empty, capture_output=True, text=True
    )
    assert again.returncode != 0 and "not empty" in again.stderr

    # a backup that lost a photo: the rows come back, but restore does not say "checked"
    (folder / "photos" / keys[0]).unlink()
    bare = fresh(cluster, "restored_bare", tmp_path / "bare", free_port())
    (tmp_path / "bare" / "media").mkdir()
    lacking = subprocess.run(
        [FILMROLL, "restore", str(folder)], env=bare, capture_output=True, text=True
    )
    assert lacking.returncode != 0 and "checked" not in lacking.stdout
    assert "do not answer" in lacking.stderr and keys[0] in lacking.stderr
