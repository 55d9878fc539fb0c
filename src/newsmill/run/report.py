"""What a run tells its caller: each source's outcome and each output's report.

Its own module because three engines fill it (the local runner, the daemon's
passes and the celery batch) and the CLI reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsmill.model import PublishReport


@dataclass
class SourceOutcome:
    name: str
    ok: bool
    error: str | None = None
    not_modified: bool = False
    items: int = 0
    filtered: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: bool = False  # not started: the run was asked to stop
    pages_failed: int = 0  # article pages that could not be had (the feed text was kept)
    warning: str | None = None  # read, but not whole: a feed cut short, broken XML


@dataclass
class RunReport:
    sources: list[SourceOutcome] = field(default_factory=list)
    outputs: list[PublishReport] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [s for s in self.sources if not s.ok]

    @property
    def failed_outputs(self) -> list[PublishReport]:
        return [o for o in self.outputs if not o.ok]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.failed_outputs else 0

    @property
    def pages_lost(self) -> int:
        return sum(s.pages_failed for s in self.sources)
