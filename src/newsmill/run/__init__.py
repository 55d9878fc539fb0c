"""Run stage: orchestration of the other stages.

Its names load on first use: `newsmill.run.lock` (which every command touches)
must not pull the whole pipeline in with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
