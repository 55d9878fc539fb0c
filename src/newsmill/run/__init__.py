"""Run stage: orchestration of the other stages.

Its names load on first use: `newsmill.run.lock` (which every command touches)
must not pull the whole pipeline in with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsmill.lazy import lazy_exports

if TYPE_CHECKING:
    from newsmill.run.pipeline import run_once
    from newsmill.run.publishing import publish_all
    from newsmill.run.report import RunReport, SourceOutcome

__all__ = ["RunReport", "SourceOutcome", "publish_all", "run_once"]
_WHERE = {
    "RunReport": "newsmill.run.report",
    "SourceOutcome": "newsmill.run.report",
    "publish_all": "newsmill.run.publishing",
    "run_once": "newsmill.run.pipeline",
}


__getattr__ = lazy_exports(__name__, _WHERE)
