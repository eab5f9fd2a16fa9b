"""What the Scraper remembers between scrapes, kept in a small JSON file across restarts.

Per source: the last healthy :class:`ScrapeResult` (re-published on a 304, and the "last
time" a scrape's home fixture count is compared with) and the streak of scrapes that agree
on a smaller fixture list (:mod:`ghela.scraper.baseline`). Without this file a restart would
make the first scrape blind to "far fewer fixtures than last time", and would start counting
a streak from zero again. (The ETag / Last-Modified that make a request conditional are
kept by Scrapy's HTTP cache, ``httpCachePath``.)

The streak was added to format 1 compatibly: it is optional (a file without it loads) and
left out of the file when there is none. Files of releases that kept ETag / Last-Modified
here still load; those two keys are dropped (the first crawl after the update is then
unconditional, once).

The file is written whole to a temporary file beside it and renamed over it, so a crash
or a full disk leaves the previous file, never a partial one. A file that cannot be read
or does not validate is moved aside (``<name>.corrupt``) and the Scraper starts fresh:
the memory is a safeguard, so losing it must never stop the component.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ghela.core.messages.scrape import ScrapeResult
from ghela.core.wiretypes import ShortText
from ghela.scraper.baseline import Streak
from ghela.scraper.config import MAX_BASELINE_AGREE_SCRAPES, SourceConfig
from ghela.scraper.health import MAX_FIXTURES

log = logging.getLogger(__name__)

FORMAT_VERSION: Final = 1
CORRUPT_SUFFIX = ".corrupt"
LEGACY_KEYS = frozenset({"etag", "last_modified"})
"""Kept here by earlier releases; now in Scrapy's HTTP cache."""


class _Stored(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoredStreak(_Stored):
    """A :class:`~ghela.scraper.baseline.Streak` in the file (keys sorted, so saves are stable)."""

    keys: Annotated[list[ShortText], Field(min_length=1, max_length=MAX_FIXTURES)]
    count: Annotated[int, Field(ge=1, le=MAX_BASELINE_AGREE_SCRAPES)]

    @model_validator(mode="after")
    def _distinct_keys(self) -> StoredStreak:
        if len(set(self.keys)) != len(self.keys):
            raise ValueError("the keys of a streak must be distinct")
        return self

    @classmethod
    def of(cls, streak: Streak | None) -> StoredStreak | None:
        return None if streak is None else cls(keys=sorted(streak.keys), count=streak.count)

    @property
    def streak(self) -> Streak:
        return Streak(frozenset(self.keys), self.count)


class Remembered(_Stored):
    """One source's memory: its last healthy result and the streak of scrapes since then
    that agree on a smaller fixture list.

    ``url`` and ``kind`` say what the memory is of: a source whose address or kind has
    changed since is another page, and starts without a "last time".
    """

    url: str
    kind: Literal["html", "ics"]
    last_good: ScrapeResult
    shrink_streak: StoredStreak | None = Field(default=None, exclude_if=lambda streak: streak is None)

    @model_validator(mode="before")
    @classmethod
    def _drop_old_validators(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if key not in LEGACY_KEYS}
        return data

    @model_validator(mode="after")
    def _only_healthy(self) -> Remembered:
        if not self.last_good.healthy:
            raise ValueError(f"the remembered result of {self.last_good.source!r} is not healthy")
        return self

    def is_of(self, source: SourceConfig) -> bool:
        return self.url == source.url and self.kind == source.kind


class MemoryFile(_Stored):
    """The file's shape: a format version and each source's memory by source name."""

    version: Literal[1] = FORMAT_VERSION
    sources: dict[ShortText, Remembered] = {}

    @model_validator(mode="after")
    def _names_match(self) -> MemoryFile:
        for name, remembered in self.sources.items():
            if remembered.last_good.source != name:
                raise ValueError(f"memory of {name!r} holds a result of {remembered.last_good.source!r}")
        return self


class MemoryStore:
    """Loads and saves the memory file at ``path`` (relative: to the working directory,
    which under Greengrass is the component's work folder)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, Remembered]:
        """The remembered sources; {} for a missing file or (moved aside) a damaged one."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            log.info("no scraper memory at %s: starting fresh", self.path)
            return {}
        except OSError as exc:
            return self._set_aside(f"cannot be read: {exc}")
        try:
            stored = MemoryFile.model_validate_json(text)
        except ValidationError as exc:  # bad JSON, a wrong shape or a stored result that is invalid
            return self._set_aside(f"is not valid scraper memory: {_summary(exc)}")
        log.info("scraper memory loaded from %s: %s", self.path, ", ".join(stored.sources) or "no sources")
        return dict(stored.sources)

    def save(self, memory: Mapping[str, Remembered]) -> bool:
        """Replace the file with ``memory``; False (and logged) when it could not be written."""
        document = MemoryFile(sources=dict(memory)).model_dump_json(indent=1)
        temporary: Path | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
            )
            temporary = Path(name)
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                stream.write(document)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
            temporary = None
            _sync_directory(self.path.parent)
        except OSError as exc:
            log.error("cannot save scraper memory to %s (the previous file is kept): %s", self.path, exc)
            return False
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    temporary.unlink()
        return True

    def _set_aside(self, problem: str) -> dict[str, Remembered]:
        aside = self.path.with_name(self.path.name + CORRUPT_SUFFIX)
        try:
            os.replace(self.path, aside)
            where = f"moved aside to {aside}"
        except OSError as exc:
            where = f"and could not be moved aside ({exc})"
        log.error("scraper memory %s %s; %s; starting fresh", self.path, problem, where)
        return {}


def _summary(error: ValidationError, most: int = 3) -> str:
    """The first few of pydantic's complaints, each with where in the file it is."""
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or 'file'}: {item['msg']}"
        for item in error.errors(include_url=False)[:most]
    ]
    more = error.error_count() - len(problems)
    return "; ".join(problems) + (f"; and {more} more" if more > 0 else "")


def _sync_directory(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
