"""Where jobs run: one interface, two executors, one factory.

`local` (the default) is `harness/pool.py` `WorkerPool`: fresh sandboxed workers on
this machine, a `GpuGate` per GPU, memory admission per device. `ray`
(`harness/ray_executor.py`, the optional extra `kernelwright[ray]`) sends each job
to a long-lived actor on one GPU of a Ray cluster, which runs it in a `WorkerPool`
of its own on its node: the same workers, gate and admission, one GPU each.

Both answer `run(request, limits)` with the same `JobOutcome`, so the harness, the
search and `bench` do not know which one they hold. Ray is imported only when a Ray
executor is made: the language server and the local path never load it.
"""

from __future__ import annotations

from typing import Protocol

from kernelwright.harness.evaluate import BadInputError, HarnessError
from kernelwright.harness.messages import JobRequest
from kernelwright.harness.pool import JobOutcome, Limits, WorkerPool
from kernelwright.harness.sandbox import Sandbox

EXECUTORS = ("local", "ray")


class ExecutorLost(HarnessError):
    """Nothing is left to run a job on (every actor of a Ray executor was lost): a
    search stops rather than count its remaining candidates as failures."""


class Executor(Protocol):
    """What the harness needs of whatever runs its jobs."""

    # The sandbox the jobs run in: results record it, and a search refuses to run
    # untrusted code where none works (agent/search.py _check_sandbox).
    @property
    def sandbox(self) -> Sandbox: ...

    async def run(self, request: JobRequest, limits: Limits = Limits()) -> JobOutcome: ...

    async def warm(self, device: str, reference_jobs: tuple[str, ...] = ...) -> None: ...

    async def close(self) -> None: ...


def make_executor(
    kind: str = "local",
    address: str | None = None,
    *,
    device: str = "cpu",
    gpus: int = 1,
    parallel: int | None = None,
    prestart: bool = False,
) -> Executor:
    """The executor `kind` names. `address` is a Ray cluster's (None: start a local
    Ray instance); `gpus` and `parallel` size a local pool, which a Ray executor
    takes from its cluster instead (one actor per GPU, slots by the node's CPUs).
    Raises BadInputError, one sentence, when Ray is absent or its cluster unusable."""
    if kind == "local":
        if address:
            raise BadInputError("--ray-address needs --executor ray")
        return WorkerPool(gpus=gpus, parallel=parallel, prestart=prestart)
    if kind != "ray":
        raise BadInputError(f"unknown executor {kind!r}: use {' or '.join(EXECUTORS)}")
    try:
        from kernelwright.harness.ray_executor import RayExecutor
    except ImportError as err:  # ray itself is what is missing
        raise BadInputError(
            f"--executor ray needs Ray ({err.name or 'ray'} is not installed): "
            "pip install 'kernelwright[ray]'"
        ) from None
    return RayExecutor.connect(address, device=device)
