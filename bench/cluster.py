"""Cluster benchmark: requests per second through nginx (over HTTPS) for a mix of home-feed reads,
likes and photo uploads (bench/mix.lua), with two app servers and with one, and the same mix
against the embedded default (`filmroll serve`), in one run; medians of rounds, p50 and p99 latency.

    make bench-cluster

All of it runs on this one 2-core machine: the app servers, their databases and the load
generator share the cores, so a second app server adds processes, not hardware. What the
figures show is the cost of the layers (nginx, pgbouncer, the network hops) and that the
cluster scales out where cores are added. Figures also go to bench/results/cluster.json.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import results as results_file  # noqa: E402
from bench.served import figures  # noqa: E402
from filmroll.cluster import supervise, topology  # noqa: E402

FILMROLL = str(Path(sys.executable).parent / "filmroll")
OFFSET = 40
SETTINGS = {
    "FILMROLL_RATELIMIT_PER_HOUR": "1000000000",
    "FILMROLL_RATELIMIT_IP_PER_HOUR": "1000000000",
    "FILMROLL_LOGIN_ATTEMPTS_IP_PER_HOUR": "1000000",
    "FILMROLL_REQUEST_LOGS": "0",
}
USERS, FOLLOWS, PHOTOS = 24, 12, 2
EMBEDDED_PORT = 8766
# No goals were printed with these ratios; the chart's, for one 2-core machine: a second app
# server must not cost throughput, and the cluster's layers (TLS at nginx, pgbouncer, Redis,
# memcached, RabbitMQ) at most half of the embedded default's.
SCALE_GOAL, LAYERS_GOAL = 1.0, 0.5


def jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (90, 140, 200))
    ImageDraw.Draw(image).ellipse((100, 80, 400, 380), fill=(200, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def populate(base: str, folder: Path, verify: ssl.SSLContext | bool = True) -> None:
    """Users who follow each other and have posted, through the API; the files mix.lua reads."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens, ids, photos = [], [], []
    with httpx.Client(base_url=base, timeout=60, verify=verify) as http:
        for n in range(USERS):
            reply = http.post("/api/v1/accounts/signup", data={
                "username": f"bench{n}", "password": "a long bench passphrase",
                "email": f"bench{n}@example.com"})  # fmt: skip
            reply.raise_for_status()
            tokens.append(reply.json()["data"]["access_token"])
            ids.append(reply.json()["data"]["user"]["id"])
        for n, token in enumerate(tokens):
            auth = {"Authorization": f"Bearer {token}"}
            for k in range(1, FOLLOWS + 1):
                http.post(f"/api/v1/users/{ids[(n + k) % USERS]}/relationship",
                          data={"action": "follow"}, headers=auth).raise_for_status()  # fmt: skip
            http.get("/api/v1/users/self/feed", headers=auth).raise_for_status()
        image = jpeg()
        for token in tokens:
            for _ in range(PHOTOS):
                reply = http.post("/api/v1/media", headers={"Authorization": f"Bearer {token}"},
                                  files={"image": ("p.jpg", image, "image/jpeg")})  # fmt: skip
                reply.raise_for_status()
                photos.append(reply.json()["data"]["id"])
    boundary = "filmrollbenchboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + jpeg((320, 240))
        + f"\r\n--{boundary}--\r\n".encode()
    )
    (folder / "tokens.txt").write_text("\n".join(tokens) + "\n")
    (folder / "photos.txt").write_text("\n".join(photos) + "\n")
    (folder / "upload.body").write_bytes(body)
    (folder / "boundary.txt").write_text(boundary + "\n")


def wrk(base: str, folder: Path, seconds: int) -> tuple[float, float, float]:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(ROOT / "bench" / "mix.lua"), base],
        capture_output=True, text=True, check=True, env={**os.environ, "BENCH_MIX_DIR": str(folder)},
    ).stdout  # fmt: skip
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad and int(bad.group(1)) > total // 100:
        raise RuntimeError(f"more than 1% of requests failed against {base}:\n{out}")
    return figures(out)


def cluster_up() -> topology.Topology:
    data = ROOT / "var" / "bench-cluster"
    env = {**os.environ, **SETTINGS, "FILMROLL_DATA_DIR": str(data)}
    fresh = not (data / "cluster" / "topology.json").exists()
    print("starting the benchmark cluster (filmroll cluster up)", flush=True)
    subprocess.run([FILMROLL, "cluster", "up", "--port-offset", str(OFFSET), "--logical-shards", "64"],
                   env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    where = topology.load(data)
    if fresh:
        print("populating it through the API", flush=True)
        # nginx answers plain HTTP with a redirect: the cluster is used over HTTPS
        cert = ssl.create_default_context(cafile=str(where.root / "tls" / "cert.pem"))
        populate(f"https://127.0.0.1:{where.port('nginx_https')}", data / "mix", cert)
    return where


def embedded_up() -> subprocess.Popen:
    data = ROOT / "var" / "bench-embedded-mix"
    fresh = not data.exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMROLL_")}
    env.update(SETTINGS, FILMROLL_DATA_DIR=str(data))
    subprocess.run([FILMROLL, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [FILMROLL, "serve", "--bind", f"127.0.0.1:{EMBEDDED_PORT}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{EMBEDDED_PORT}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    if fresh:
        print("populating the embedded default through the API", flush=True)
        populate(f"http://127.0.0.1:{EMBEDDED_PORT}", data / "mix")
    return server


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench-cluster` installs it")
    rounds, seconds = (
        int(os.environ.get("BENCH_ROUNDS", "3")),
        int(os.environ.get("BENCH_SECONDS", "10")),
    )
    where = cluster_up()
    nginx = f"https://127.0.0.1:{where.port('nginx_https')}"
    mix = where.data_dir / "mix"
    server = embedded_up()
    embedded = f"http://127.0.0.1:{EMBEDDED_PORT}"
    results: dict[str, list[tuple[float, float, float]]] = {"two": [], "one": [], "embedded": []}
    try:
        for n in range(rounds):
            print(f"round {n + 1}/{rounds}", flush=True)
            supervise.start(where, ["app_2"])
            time.sleep(11)  # nginx's fail_timeout: app_2 back in rotation
            results["two"].append(wrk(nginx, mix, seconds))
            supervise.stop(where, "app_2")
            results["one"].append(wrk(nginx, mix, seconds))
            results["embedded"].append(
                wrk(embedded, ROOT / "var" / "bench-embedded-mix" / "mix", seconds)
            )
    finally:
        supervise.start(where, ["app_2"])
        server.terminate()
        server.wait()
    medians = {
        k: tuple(statistics.median(r[i] for r in v) for i in range(3)) for k, v in results.items()
    }
    print(
        f"\nmix of feed reads 70%, likes 22%, uploads 8%; wrk -t2 -c16, {seconds} s x {rounds} rounds, medians"
    )
    for name, label in (("two", "cluster, 2 app servers (nginx)"), ("one", "cluster, 1 app server (nginx)"),
                        ("embedded", "embedded default (filmroll serve)")):  # fmt: skip
        rate, p50, p99 = medians[name]
        print(f"{label:36} {rate:8.1f} req/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
    print(f"ratio 2 app servers / 1: {medians['two'][0] / medians['one'][0]:.2f}")
    print(f"ratio cluster (2) / embedded: {medians['two'][0] / medians['embedded'][0]:.2f}")
    results_file.write(
        "cluster",
        {"rounds": rounds, "seconds": seconds, "mix": "feed reads 70%, likes 22%, uploads 8%",
         "cluster_2_app_servers": results_file.wrk_figures(medians["two"]),
         "cluster_1_app_server": results_file.wrk_figures(medians["one"]),
         "embedded": results_file.wrk_figures(medians["embedded"])},
        [results_file.Ratio("mix req/s through nginx, 2 app servers / 1",
                            medians["two"][0] / medians["one"][0], SCALE_GOAL),
         results_file.Ratio("mix req/s, cluster (2 app servers) / embedded default",
                            medians["two"][0] / medians["embedded"][0], LAYERS_GOAL)],
    )  # fmt: skip
    print(
        "the cluster stays up: `FILMROLL_DATA_DIR=var/bench-cluster filmroll cluster down` stops it"
    )


if __name__ == "__main__":
    main()
