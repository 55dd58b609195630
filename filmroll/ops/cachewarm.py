"""Page-cache warming (the seed's vmtouch tip): read `vmtouch -v` output taken on one database
server and write the vmtouch commands that bring the same pages into memory on another, so a
replica that takes over starts warm instead of reading its hot pages from disk one by one.

vmtouch -v draws each file as a chart: every character stands for the same number of pages
(all of them when the file has at most 60), 'O' all resident, 'o' some, ' ' none; the chart is
followed by "resident/total" pages. From the total, the pages behind each character follow.
Cells partly resident ('o') are warmed whole; the kernel's readahead adds some pages around
each range (with a 4 MB readahead, as on the test machines, a few hundred)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass

CHART_WIDTH = 60  # vmtouch's RESIDENCY_CHART_WIDTH
CHART = re.compile(r"^\[([ oO]*)\] (\d+)/(\d+)$")
SUMMARY = re.compile(r"^\s+[A-Z][A-Za-z ]+: ")


@dataclass(frozen=True)
class Residency:
    path: str
    chart: str
    resident: int
    total: int

    @property
    def per_cell(self) -> int:
        return 1 if self.total <= CHART_WIDTH else self.total // CHART_WIDTH + 1

    def cells(self) -> int:
        return -(-self.total // self.per_cell)

    def ranges(self, partial: bool = True) -> list[tuple[int, int]]:
        """Page ranges [start, end) to warm: runs of 'O' (and of 'o' with `partial`), merged."""
        per_char = self.per_cell
        wanted = "Oo" if partial else "O"
        found: list[tuple[int, int]] = []
        for i, mark in enumerate(self.chart):
            if mark not in wanted:
                continue
            start, end = i * per_char, min((i + 1) * per_char, self.total)
            if found and found[-1][1] == start:
                found[-1] = (found[-1][0], end)
            else:
                found.append((start, end))
        return found


def parse(text: str) -> list[Residency]:
    """Every file in `vmtouch -v` output (the last chart drawn for each: vmtouch redraws it)."""
    found: dict[str, Residency] = {}
    path = None
    for line in re.split(r"[\r\n]", text):
        chart = CHART.match(line)
        if chart and path is not None:
            marks, resident, total = chart.groups()
            item = Residency(path, marks, int(resident), int(total))
            if len(marks) != item.cells():
                raise ValueError(
                    f"the chart of {path} has {len(marks)} cells where {total} pages make"
                    f" {item.cells()}: is this vmtouch -v output, whole?"
                )
            found[path] = item
        elif line.strip() and not SUMMARY.match(line) and not line.startswith("["):
            path = line
    return list(found.values())


def commands(
    files: Iterable[Residency],
    page_size: int = 4096,
    replace: tuple[str, str] | None = None,
    partial: bool = True,
) -> list[str]:
    """One `vmtouch -t -p FROM-TO FILE` per range of resident pages (bytes, page-aligned)."""
    lines = []
    for item in files:
        path = item.path
        if replace and path.startswith(replace[0]):
            path = replace[1] + path[len(replace[0]) :]
        for start, end in item.ranges(partial):
            lines.append(
                f"vmtouch -q -t -p {start * page_size}-{end * page_size} {shlex.quote(path)}"
            )
    return lines
