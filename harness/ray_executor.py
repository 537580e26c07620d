"""The Ray executor: jobs on every GPU of a Ray cluster, one long-lived actor per GPU.

Each actor (`JobHost`, `num_gpus=1`: Ray pins its CUDA_VISIBLE_DEVICES to its GPU)
holds a `WorkerPool(gpus=1)` of its own and runs every job it is sent exactly as a
local search does: a fresh sandboxed worker per job on the actor's node, the
exclusive timing gate of its one GPU, memory admission on that GPU. The driver (this
process) only schedules: a job goes to the least-loaded live actor with a free slot,
or waits for the first one to free. Actors only return outcomes; the driver writes
the results store, as before.

An actor or node lost mid-job (`RayActorError`) loses no job: the driver runs it
again on another live actor, once per loss; the harness above sees one outcome.
With no actor left the job fails with `ExecutorLost`, which ends a search.

Secrets: actors get requests and limits, which hold none. A local instance this
process starts is started without secret-named environment variables (the same
names `sandbox.worker_environment` keeps from workers), so its actors never see
them; what comes back is scrubbed again here with this process's own secrets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import ray
import ray.exceptions
from kernelwright.harness.evaluate import BadInputError
from kernelwright.harness.executors import ExecutorLost
from kernelwright.harness.messages import JobRequest
from kernelwright.harness.pool import REFERENCE_JOBS, JobOutcome, Limits, WorkerPool
from kernelwright.harness.sandbox import Sandbox
from kernelwright.harness.secrets import SECRET_NAME, known_secrets, scrub, scrub_data
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

log = logging.getLogger(__name__)

# An actor is a Python process importing ray and the harness: seconds, a minute on a
# loaded 2-core machine. One that never starts is waiting for a GPU someone else holds.
ACTOR_START_TIMEOUT_S = 180.0
PROBE_TIMEOUT_S = 5.0  # ray.init itself retries an unreachable address for minutes
# Ray gives its raylet a fixed 30 s to register (ray/_private/node.py); on a loaded
# 2-core machine that once ran out, and the second start went through.
LOCAL_START_ATTEMPTS = 2


class JobHost:
    """Runs on one GPU of the cluster (or one node, for CPU jobs on a GPU-less cluster).

    Its methods are async: Ray runs them concurrently on the actor's event loop, so
    the pool's GPU gate and memory ledger see all of the actor's jobs at once."""

    def __init__(self, per_gpu: bool):
        self.slots = _node_slots(per_gpu)
        self.pool = WorkerPool(gpus=1, parallel=self.slots, prestart=True)

    def describe(self) -> dict[str, Any]:
        return {
            "node": ray.get_runtime_context().get_node_id(),
            "gpu": os.environ.get("CUDA_VISIBLE_DEVICES", ""),
            "slots": self.slots,
            "sandbox": self.pool.sandbox,
        }

    async def run(self, request: JobRequest, limits: Limits) -> JobOutcome:
        return await self.pool.run(request, limits)

    async def warm(self, device: str, reference_jobs: tuple[str, ...] = REFERENCE_JOBS) -> None:
        await self.pool.warm(device, reference_jobs)

    async def close(self) -> None:
        await self.pool.close()


def _node_slots(per_gpu: bool) -> int:
    """Jobs at once on this actor: its node's CPUs, shared by the node's GPUs (a job's
    worker compiles and verifies on a core; the GPU gate serialises its timing)."""
    here = ray.get_runtime_context().get_node_id()
    for node in ray.nodes():
        if node.get("NodeID") == here:
            cpus = float(node["Resources"].get("CPU", 1.0))
            gpus = float(node["Resources"].get("GPU", 0.0))
            return max(int(cpus // gpus) if per_gpu and gpus else int(cpus), 1)
    return 1


@dataclass(eq=False)
class _Actor:
    handle: Any
    name: str  # "GPU 3 of node 5f2c..." in messages
    slots: int
    jobs: list[JobRequest] = field(default_factory=list)  # in flight on it now
    ran: int = 0  # jobs it returned an outcome for
    alive: bool = True


class RayExecutor:
    """The driver's side: connects, starts the actors, schedules jobs onto them."""

    def __init__(self, actors: list[_Actor], sandbox: Sandbox, started: bool, address: str):
        self.actors = actors
        self._sandbox = sandbox
        self.resubmitted = 0  # jobs run again after their actor was lost
        self._started = started  # this process started the Ray instance: it stops it
        self._address = address
        self._waiters: list[asyncio.Future] = []
        self._closed = False

    # -- setup -----------------------------------------------------------------------
    @classmethod
    def connect(cls, address: str | None, device: str = "cpu") -> RayExecutor:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        started = _connect(address)
        try:
            actors, sandboxes = _start_actors(where, device)
        except BaseException:
            if started:
                ray.shutdown()
            raise
        # The weakest sandbox any actor has is the one every job may run in.
        weakest = min(sandboxes, key=lambda s: s.active)
        executor = cls(actors, weakest, started, address or "local")
        log.info("ray executor: %s", ", ".join(f"{a.name} ({a.slots} slots)" for a in actors))
        return executor

    @property
    def sandbox(self) -> Sandbox:
        return self._sandbox

    @property
    def gpus(self) -> int:
        """Live actors: the jobs a bench can spread over at once."""
        return sum(1 for a in self.actors if a.alive)

    # -- jobs ------------------------------------------------------------------------
    async def run(self, request: JobRequest, limits: Limits = Limits()) -> JobOutcome:
        while True:
            actor = await self._take()
            # Each attempt sends its own copy: the pool writes the worker's log path
            # into the request it is given.
            sent = replace(request)
            actor.jobs.append(sent)
            ref = actor.handle.run.remote(sent, limits)
            try:
                outcome = await ref
            except ray.exceptions.RayActorError as err:
                self._lose(actor, err)
                self.resubmitted += 1
                log.warning("a %s job lost with %s runs again elsewhere", request.kind, actor.name)
                continue
            except asyncio.CancelledError:
                ray.cancel(ref)  # the actor's pool kills the job's worker
                raise
            finally:
                actor.jobs.remove(sent)
                self._wake()
            actor.ran += 1
            return _scrubbed(outcome)

    async def _take(self) -> _Actor:
        """The least-loaded live actor with a free slot; waits for one to free."""
        while True:
            live = [a for a in self.actors if a.alive]
            if not live:
                raise ExecutorLost(
                    f"every Ray actor of {self._address} was lost; no GPU is left to run on"
                )
            free = [a for a in live if len(a.jobs) < a.slots]
            if free:
                return min(free, key=lambda a: len(a.jobs) / a.slots)
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                self._waiters.remove(waiter)

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _lose(self, actor: _Actor, err: BaseException) -> None:
        if actor.alive:
            actor.alive = False
            log.warning("ray executor: lost %s: %s", actor.name, _first_line(err))
            # An actor only unreachable for now (ActorUnavailableError) would come back
            # holding its GPU and running jobs that were sent elsewhere: it goes for good.
            with contextlib.suppress(Exception):
                ray.kill(actor.handle)
        self._wake()  # waiters recount: a job may now have nowhere to go

    async def warm(self, device: str, reference_jobs: tuple[str, ...] = REFERENCE_JOBS) -> None:
        """Spare workers on every actor start importing torch now (WorkerPool.warm)."""
        live = [a for a in self.actors if a.alive]
        results = await asyncio.gather(
            *(a.handle.warm.remote(device, reference_jobs) for a in live), return_exceptions=True
        )
        for actor, result in zip(live, results):
            if isinstance(result, ray.exceptions.RayActorError):
                self._lose(actor, result)

    async def close(self) -> None:
        """Ends the actors' spare workers and the actors; stops a Ray instance it started."""
        if self._closed:
            return
        self._closed = True
        live = [a for a in self.actors if a.alive]
        await asyncio.gather(*(a.handle.close.remote() for a in live), return_exceptions=True)
        for actor in live:
            with contextlib.suppress(Exception):
                ray.kill(actor.handle)
            actor.alive = False
        if self._started:
            ray.shutdown()


def _scrubbed(outcome: JobOutcome) -> JobOutcome:
    """The actor scrubbed what it knew; this process may know more (a loaded API key)."""
    secrets = known_secrets()
    outcome.payload = scrub_data(outcome.payload, secrets)
    outcome.log_tail = scrub(outcome.log_tail, secrets)
    return outcome


def _connect(address: str | None) -> bool:
    """Joins the cluster at `address`, the instance this process already has, or a new
    local one. True when this call started an instance (its owner stops it)."""
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {
        "logging_level": logging.ERROR,
        "log_to_driver": False,  # workers' lines are the harness's to read, not the terminal's
        "include_dashboard": False,
    }
    if address:
        _probe(address)
        try:
            ray.init(address=address, **options)
        except Exception as err:  # noqa: BLE001 - the user gets one sentence, not Ray's trace
            raise BadInputError(f"cannot join the Ray cluster at {address}: {_first_line(err)}")
        return False
    for attempt in range(LOCAL_START_ATTEMPTS):
        with _without_secrets():
            try:
                ray.init(**options)
                return True
            except Exception as err:  # noqa: BLE001
                ray.shutdown()  # what did start of it
                if attempt + 1 == LOCAL_START_ATTEMPTS:
                    raise BadInputError(f"cannot start a local Ray instance: {_first_line(err)}")
                log.warning("starting a local Ray instance failed (%s); trying again", err)
    return True


def _probe(address: str) -> None:
    """Fails at once, in one sentence, where nothing listens at `address`."""
    if address in ("auto", "local"):
        return  # Ray finds these itself
    hostport = address.removeprefix("ray://").rsplit("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise BadInputError(f"--ray-address {address!r} is not HOST:PORT")
    try:
        socket.create_connection((host.strip("[]"), int(port)), PROBE_TIMEOUT_S).close()
    except OSError as err:
        raise BadInputError(
            f"cannot reach a Ray cluster at {address} ({err.strerror or err}); "
            "is `ray start --head` running there?"
        ) from None


@contextlib.contextmanager
def _without_secrets() -> Iterator[None]:
    """The Ray processes started now inherit this environment: no secret-named variable
    reaches them (Ray's own RAY_* settings stay)."""
    held = {
        name: value
        for name, value in os.environ.items()
        if SECRET_NAME.search(name) and not name.startswith("RAY_")
    }
    for name in held:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(held)


def _start_actors(where: str, device: str) -> tuple[list[_Actor], list[Sandbox]]:
    """One actor per GPU of the cluster; on a cluster without GPUs, CPU jobs get one
    actor per node instead."""
    gpus = int(ray.cluster_resources().get("GPU", 0))
    host: Any = ray.remote(JobHost)  # its handles are typed by method, not as used here
    if gpus:
        pending = [host.options(num_gpus=1, num_cpus=0).remote(True) for _ in range(gpus)]
    elif device == "cpu":
        nodes = [n["NodeID"] for n in ray.nodes() if n.get("Alive")]
        pending = [
            host.options(
                num_cpus=0,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False),
            ).remote(False)
            for node in nodes
        ]
    else:
        raise BadInputError(f"{where} has no GPUs for CUDA jobs")
    described = [actor.describe.remote() for actor in pending]
    ready, _ = ray.wait(described, num_returns=len(described), timeout=ACTOR_START_TIMEOUT_S)
    actors, sandboxes = [], []
    started: list[tuple[dict[str, Any], Any]] = []
    for handle, ref in zip(pending, described):
        info = _described(ref, ready)
        if info is None:  # never came up (its GPU is held by someone else), or died starting
            ray.kill(handle)
            continue
        started.append((info, handle))
    # Ray hands GPUs to actors in whatever order they start; listed by node and GPU, the
    # executor's log line and its messages name them the same way on every run.
    started.sort(key=lambda pair: (pair[0]["node"], len(pair[0]["gpu"]), pair[0]["gpu"]))
    for info, handle in started:
        kind = f"GPU {info['gpu']}" if gpus else "CPU"
        actors.append(_Actor(handle, f"{kind} of node {info['node'][:8]}", int(info["slots"])))
        sandboxes.append(info["sandbox"])
    if not actors:
        raise BadInputError(
            f"no actor of {where} started within {ACTOR_START_TIMEOUT_S:.0f} s "
            "(are its GPUs held by other work?)"
        )
    return actors, sandboxes


def _described(ref: Any, ready: list[Any]) -> dict[str, Any] | None:
    if ref not in ready:
        return None
    try:
        return ray.get(ref)
    except ray.exceptions.RayError:
        return None


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
