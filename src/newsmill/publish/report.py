"""What a writer did, for the run summary and the tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PublishReport:
    output: str
    written: int = 0
    unchanged: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.output}: {self.written} written, {self.unchanged} unchanged, "
            f"{self.removed} removed"
        )
