"""Memory that several processes need together: each physical page counted once.

Adding up each process's ``VmRSS`` counts a page once per process that maps it: the
Python interpreter, ``libpython``, awscrt's and pydantic-core's shared objects are on the
Pi's RAM once, however many components map them. What the five components cost the Pi
together is the number of distinct physical pages they have resident, which Linux tells
through ``/proc/PID/pagemap`` (one 64-bit entry per virtual page: bit 63 "present", bits
0-54 the page frame number; see the kernel's ``Documentation/admin-guide/mm/pagemap.rst``).

The frame numbers are shown only to a process with ``CAP_SYS_ADMIN`` (root); otherwise they
read as zero and :func:`distinct_resident_kib` returns None, and the caller prints the sum
of RSS alone. Pages of processes outside the set that share a frame do not add anything:
the set needs the page either way.

    sudo .venv/bin/python bench/together.py PID [PID ...]
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Iterable, Iterator

PRESENT = 1 << 63
PFN_MASK = (1 << 55) - 1
ENTRY = struct.Struct("<Q")
CHUNK_PAGES = 4096
"""Pagemap entries read at a time (32 KiB): a mapping of a few GiB reads in bounded slices."""


def _mappings(pid: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each of ``pid``'s mappings, except the kernel's ``[vsyscall]``."""
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            fields = line.split()
            if fields[-1] == "[vsyscall]":
                continue
            start, end = (int(part, 16) for part in fields[0].split("-"))
            yield start, end


def resident_frames(pid: int) -> set[int]:
    """The physical frames of ``pid``'s resident pages (empty when they are not shown)."""
    page = os.sysconf("SC_PAGE_SIZE")
    frames: set[int] = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for start, end in _mappings(pid):
            for first in range(start // page, end // page, CHUNK_PAGES):
                count = min(CHUNK_PAGES, end // page - first)
                pagemap.seek(first * ENTRY.size)
                data = pagemap.read(count * ENTRY.size)
                for (entry,) in ENTRY.iter_unpack(data):
                    if entry & PRESENT and entry & PFN_MASK:
                        frames.add(entry & PFN_MASK)
    return frames


def distinct_resident_kib(pids: Iterable[int]) -> int | None:
    """KiB of distinct physical pages resident in ``pids`` together; None without the right."""
    frames: set[int] = set()
    for pid in pids:
        try:
            frames |= resident_frames(pid)
        except (FileNotFoundError, ProcessLookupError):  # it ended in the meantime
            continue
        except PermissionError:
            return None
    if not frames:
        return None
    return len(frames) * os.sysconf("SC_PAGE_SIZE") // 1024


def main(argv: list[str]) -> int:
    pids = [int(arg) for arg in argv]
    together = distinct_resident_kib(pids)
    if together is None:
        print("page frame numbers are not shown to this user (run as root)")
        return 1
    print(f"{len(pids)} processes need {together / 1024:.1f} MiB together (each page once)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
