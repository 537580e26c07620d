"""The reference's profile, for the CLI's `profile` and the server's hover."""

from __future__ import annotations

from typing import Any

from kernelwright.harness.evaluate import Harness
from kernelwright.harness.store import Store


async def profile_problem(
    problem_path: str, device: str = "auto", store_path: str | None = None
) -> dict[str, Any]:
    harness = Harness(store=Store(store_path))
    return await harness.profile(problem_path, device)
