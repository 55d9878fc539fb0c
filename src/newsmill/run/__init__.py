"""Run stage: orchestration of the other stages."""

from newsmill.run.pipeline import RunReport, SourceOutcome, publish_all, run_once

__all__ = ["RunReport", "SourceOutcome", "publish_all", "run_once"]
