"""Run stage: orchestration of the other stages."""

from newsmill.run.pipeline import publish_all, run_once
from newsmill.run.report import RunReport, SourceOutcome

__all__ = ["RunReport", "SourceOutcome", "publish_all", "run_once"]
