"""Where a job's wall time went, phase by phase (standard library only: both sides use it).

The parent clocks an evaluation's waits for the GPU gate and its holds of it;
the worker clocks its own pipeline phases. Neither is the candidate's speed.
"""

from __future__ import annotations

import time


class PhaseClock:
    def __init__(self, phases: tuple[str, ...] = ()):
        self.started = self._mark = time.monotonic()
        self._phase: str | None = None
        self.spent: dict[str, float] = dict.fromkeys(phases, 0.0)

    def enter(self, phase: str | None) -> None:
        """Ends the current phase (its seconds are added) and starts `phase` (None: idle)."""
        now = time.monotonic()
        if self._phase is not None:
            self.spent[self._phase] = self.spent.get(self._phase, 0.0) + now - self._mark
        self._phase, self._mark = phase, now

    def rounded(self) -> dict[str, float]:
        return {name: round(value, 3) for name, value in self.spent.items()}

    def total(self) -> float:
        return round(time.monotonic() - self.started, 3)
