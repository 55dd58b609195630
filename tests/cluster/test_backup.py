"""`filmroll backup`, then `filmroll restore` into empty databases: everything comes back."""

from __future__ import annotations

import json
import subprocess

from filmroll.cluster.topology import PHYSICALS
from tests.cluster.conftest import FILMROLL, Cluster, post_photo


def test_a_backup_restores_into_empty_databases_with_every_row(cluster: Cluster, tmp_path) -> None:
    for name in ("bkana", "bkben"):
        cluster.sign_up(name)
    photo = post_photo(cluster, "bkana", "to keep")
    with cluster.client("bkben") as http:
        http.post(f"/api/v1/media/{photo}/likes").raise_for_status()
        http.post(f"/api/v1/media/{photo}/comments", data={"text": "kept"}).raise_for_status()
        http.post(
            f"/api/v1/users/{cluster.users['bkana']['id']}/relationship", data={"action": "follow"}
        ).raise_for_status()

    folder = tmp_path / "backup"
    cluster.filmroll("backup", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["users"] >= 2 and counts["media"] >= 1 and counts["likes"] >= 1
    assert counts["comments"] >= 1 and counts["following"] >= 1 and counts["followers"] >= 1
    assert manifest["photos"] >= 1 and len(manifest["redis"]) == 3
    assert all((folder / name).stat().st_size > 0 for name in manifest["redis"])

    # new, empty databases on the same servers stand in for new servers
    where = cluster.where
    empty = {
        **cluster.env(),
        "FILMROLL_DATABASE_URL": where.pg_url("global", "restored_global"),
        "FILMROLL_INDEX_DATABASE": where.pg_url("global", "restored_index"),
        "FILMROLL_SHARD_DATABASES": ",".join(
            f"{p}={where.pg_url(p, f'restored_{p}')}" for p in PHYSICALS
        ),
        "FILMROLL_SHARD_REPLICAS": "",
        "FILMROLL_MAINTENANCE_DATABASES": ",".join(
            [
                f"global={where.pg_url('global', 'restored_global', pooled=False)}",
                f"index={where.pg_url('global', 'restored_index', pooled=False)}",
                *(f"{p}={where.pg_url(p, f'restored_{p}', pooled=False)}" for p in PHYSICALS),
            ]
        ),
    }
    done = subprocess.run(
        [FILMROLL, "restore", str(folder)], env=empty, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "restored and checked" in done.stdout

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
    "comments": [c.text for c in comments.page(ben, str(media), None, 10)],
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
