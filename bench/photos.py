"""Photos per second through filmroll's whole upload pipeline (decode, filter, four sizes,
encode, store) beside a direct pyvips script doing the same work, on the same 12-megapixel
JPEGs, with the same number of processes, in one run.

    make bench-photos     (or: .venv/bin/python bench/photos.py [--photos 24] [--processes 2])

Prints both rates, their ratio, and each side's peak memory per worker process.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FILTER = "clarendon"
SIZES = {
    "thumbnail": 150,
    "low_resolution": 320,
    "standard_resolution": 640,
    "high_resolution": 1080,
}


def make_photos(count: int) -> list[bytes]:
    """Camera-like 12-megapixel JPEGs: painted scenes with sensor-like noise, baseline, q92."""
    from PIL import Image

    from filmroll.media.samples import paint

    rng = random.Random(12)
    photos = []
    for _ in range(count):
        scene = paint(rng, 4000, 3000)
        noise = Image.effect_noise((4000, 3000), 18).convert("RGB")
        photo = Image.blend(scene, noise, 0.12)
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=92)
        photos.append(out.getvalue())
    return photos


# --- filmroll -------------------------------------------------------------------------------


def filmroll_init(data_dir: str) -> None:
    os.environ["FILMROLL_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "filmroll.settings")
    import django

    django.setup()


def filmroll_one(data: bytes) -> int:
    from filmroll.files import storage
    from filmroll.media import pipeline

    rendered = pipeline.process(data, FILTER)
    for payload, _, _ in rendered.sizes.values():
        storage.save(payload, "jpg")
    return peak_rss_kb()


def peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


# --- pyvips baseline: the fastest direct path we know -------------------------------------------


def pyvips_init(data_dir: str) -> None:
    os.environ["VIPS_CONCURRENCY"] = "1"  # one core per process, like the other side
    global OUT_DIR, LUT
    OUT_DIR = Path(data_dir)
    import pyvips

    from filmroll.media import filters

    table = filters._lut(FILTER)  # the same tone curves, as a vips lookup table
    LUT = pyvips.Image.new_from_memory(
        bytes(v for x in range(256) for v in (table[x], table[256 + x], table[512 + x])),
        256,
        1,
        3,
        "uchar",
    )


def pyvips_one(data: bytes) -> int:
    import secrets

    import pyvips

    header = pyvips.Image.new_from_buffer(data, "")
    shrink = 1
    while (
        shrink < 8
        and header.width // (shrink * 2) >= 1080
        and header.height // (shrink * 2) >= 1080
    ):
        shrink *= 2
    image = pyvips.Image.new_from_buffer(
        data, "", shrink=shrink, access="sequential"
    )  # shrink-on-load
    ratio = image.width / image.height
    if ratio > 1.91:
        image = image.crop(
            (image.width - round(image.height * 1.91)) // 2,
            0,
            round(image.height * 1.91),
            image.height,
        )
    elif ratio < 0.8:
        image = image.crop(
            0, (image.height - round(image.width / 0.8)) // 2, image.width, round(image.width / 0.8)
        )
    if image.width > 1080:
        image = image.resize(1080 / image.width, kernel="cubic")
    # saturation 1.35 as one 3x3 colour matrix (luma weights as Pillow's), then the tone table
    s, (r, g, b) = 1.35, (0.299, 0.587, 0.114)
    matrix = [[(r, g, b)[j] * (1 - s) + (s if i == j else 0) for j in range(3)] for i in range(3)]
    image = image.recomb(matrix).cast("uchar").maplut(LUT).copy_memory()
    above = image
    for name, width in sorted(SIZES.items(), key=lambda item: -item[1]):
        if name == "thumbnail":
            side = min(above.width, above.height)
            square = above.crop((above.width - side) // 2, (above.height - side) // 2, side, side)
            sized = square.resize(width / side, kernel="cubic")
        else:
            sized = above = above.resize(min(1.0, width / above.width), kernel="cubic")
        payload = sized.jpegsave_buffer(Q=85, interlace=True, strip=True, optimize_coding=True)
        path = OUT_DIR / f"{secrets.token_hex(16)}.jpg"
        with open(path, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
    return peak_rss_kb()


def run(side: str, photos: list[bytes], processes: int, rounds: int) -> tuple[list[float], int]:
    init, one = (filmroll_init, filmroll_one) if side == "filmroll" else (pyvips_init, pyvips_one)
    rates, peak = [], 0
    with (
        tempfile.TemporaryDirectory() as data_dir,
        get_context("spawn").Pool(processes, initializer=init, initargs=(data_dir,)) as pool,
    ):
        pool.map(one, photos[:processes])  # warm up: imports, caches
        for _ in range(rounds):
            start = time.perf_counter()
            peaks = pool.map(one, photos, chunksize=1)
            rates.append(len(photos) / (time.perf_counter() - start))
            peak = max(peak, *peaks)
    return rates, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=16)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"making {args.photos} 12-megapixel JPEGs...", file=sys.stderr)
    photos = make_photos(args.photos)
    print(f"{args.photos} photos of 4000x3000 ({statistics.mean(map(len, photos)) / 1e6:.1f} MB each),"
          f" filter {FILTER}, {args.processes} processes, {args.rounds} rounds (ABAB), medians")  # fmt: skip
    results = {"filmroll": ([], 0), "pyvips": ([], 0)}
    for _ in range(args.rounds):
        for side in results:
            rates, peak = run(side, photos, args.processes, 1)
            results[side] = (results[side][0] + rates, max(results[side][1], peak))
    ours, base = (statistics.median(results[side][0]) for side in ("filmroll", "pyvips"))
    for side, rate in (("filmroll", ours), ("pyvips", base)):
        print(
            f"{side:<9} {rate:6.1f} photos/s   peak memory per worker {results[side][1] / 1024:6.0f} MB"
        )
    print(
        f"ratio {ours / base:.2f} (goal >= 0.75); filmroll on {args.processes} processes: {ours:.1f} photos/s (goal >= 25)"
    )


if __name__ == "__main__":
    main()
