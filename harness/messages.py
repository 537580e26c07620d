"""Message types that cross the harness's process boundary.

This is the only module imported on both sides of the worker boundary, so it
uses the standard library alone: the parent never imports torch to read a
verdict, and the worker never imports anything of the parent's.
"""

from __future__ import annotations

import enum
import json
import signal
from dataclasses import asdict, dataclass, field
from typing import Any


class Outcome(str, enum.Enum):
    """The verdict of one evaluation (DESIGN.md: exactly one of these)."""

    OK = "ok"
    WRONG = "wrong"
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    CRASH = "crash"
    REJECTED = "rejected"  # a check found the candidate gaming the harness


# A generated candidate's module-level predicate over forward's inputs: whether its
# kernels were built for them (agent/generator/render.py writes it; server/edits.py
# guards applied code with it, so other shapes run the original PyTorch).
ACCEPTS = "kw_accepts"
# A verified candidate whose `kw_accepts` declines some derived shape
# (harness/derived_shapes.py): applied, those shapes run the original PyTorch.
# The per-shape detail is the result's correctness["shapes"].
SHAPE_SPECIFIC_FLAG = "shape-specific"
# A verified candidate that launched no Triton kernel: PyTorch ops of its own (not the
# reference's, which are `rejected`); the editor's titles say so (server/results.py).
NO_KERNEL_FLAG = "no-triton-kernel"
# A timed candidate helps only when it beats the current code by more than timing
# noise: the editor offers no other (server/results.py), and `bench` reports what
# a user ends up with on that rule (agent/bench.py). Issue 14's "no slower than
# eager" allows the same 2%.
FASTER_BY = 1.02

# Correctness trials at the problem's shape, at least: one per input distribution
# (harness/distributions.py ROTATION), so every evaluation sees each of them.
MIN_TRIALS = 6


# A worker's first word, before its request: its imports and CUDA context are done
# (harness/worker.py `_serve`). The pool books the job's GPU memory only after it
# (harness/pool.py): on an H200, evaluations booked 30 GB each while their workers
# still imported torch for 6-18 s, and ready workers waited 11-19 s behind them
# (benchmarks/results/h200-2026-12-04-bench-large-admission-after-ready).
WORKER_READY = "ready"


class JobKind(str, enum.Enum):
    EVAL = "eval"  # verify (+ time + profile) one candidate against the problem
    PROFILE = "profile"  # time and profile the reference alone
    CAPTURE = "capture"  # describe the reference as a graph for the generator
    PEAKS = "peaks"  # measure the device's copy bandwidth and matmul rates


@dataclass(frozen=True)
class Tolerance:
    atol: float
    rtol: float


# KernelBench's per-dtype tolerances (DESIGN.md).
TOLERANCES: dict[str, Tolerance] = {
    "float32": Tolerance(1e-4, 1e-4),
    "float64": Tolerance(1e-7, 1e-7),
    "float16": Tolerance(1e-2, 1e-2),
    "bfloat16": Tolerance(1e-2, 1e-2),
}


@dataclass
class JobRequest:
    kind: str
    problem_source: str
    problem_path: str
    device: str  # "cpu" or "cuda"
    candidate_source: str | None = None
    seed: int = 0
    trials: int = MIN_TRIALS
    time_candidate: bool = True
    compile_baseline: bool = True
    compile_mode: str = "default"
    peaks: dict[str, float] | None = None  # measured peaks handed to the profiler
    use_ncu: bool = False
    timing_max_reps: int = 2000
    timing_target_rse: float = 0.01
    log_path: str | None = None
    # Set by the judge for its runner: where the candidate's verification outputs go,
    # so the judge checks them itself (harness/judge.py).
    outputs_dir: str | None = None
    # Bytes of GPU memory the job is expected to need (harness/memory.py); None: unknown.
    memory_estimate: int | None = None
    # The reference forward's FLOPs as its profile counted them; None: the job counts
    # them, running the reference once more under torch's flop counter.
    reference_flops: int | None = None
    # With no other job on its device (harness/admission.py): a retry after running
    # out of GPU memory, or a job whose footprint is unknown.
    alone: bool = False

    def trial_seeds(self) -> list[int]:
        """The seeds of the verification trials at the problem's shape: the runner draws
        them (harness/jobs.py) and the judge expects its outputs for exactly these."""
        return [self.seed + i for i in range(max(self.trials, MIN_TRIALS))]

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> JobRequest:
        return cls(**json.loads(text))


@dataclass
class Correctness:
    trials: int = 0
    passed: int = 0
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    criterion: str = "allclose"  # or "float64-bounded" for TF32 convolutions
    atol: float | None = None
    rtol: float | None = None


@dataclass
class Timing:
    median_ms: float
    iqr_ms: float
    n: int
    method: str  # "cuda-events+l2-flush" or "perf_counter"


@dataclass
class EvalResult:
    """What `kernelwright eval --json` prints (DESIGN.md fields and then some)."""

    outcome: str
    message: str
    device: str
    correctness: dict[str, Any] | None = None
    timing: dict[str, Any] | None = None
    timing_note: str | None = None  # why timing is null, when it is
    baseline: dict[str, Any] | None = None  # eager_ms, compile_ms
    speedup: dict[str, Any] | None = None  # vs_eager, vs_compile
    profile: dict[str, Any] | None = None
    flags: list[str] = field(default_factory=list)
    numerics: dict[str, Any] | None = None  # which precision flags held
    versions: dict[str, str] | None = None
    log_tail: str | None = None
    # Where the evaluation's wall time went: total, waiting for the GPU gate,
    # holding it shared, holding it alone (parent side), and "phases" (load,
    # compile, verify, time, reverify, ncu; worker side). Not the candidate's speed.
    seconds: dict[str, float | dict[str, float]] | None = None
    cached: bool = False
    key: str | None = None
    sandbox: dict[str, Any] | None = None  # which sandbox the code ran in (harness/sandbox.py)
    # On a GPU: the worker's peak reserved memory beside the footprint admission
    # booked for it (memory.usage); how the estimate is checked against reality.
    gpu_memory: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvalResult:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class WorkerMessage:
    """One line on the worker's private channel.

    type: "ready" (the worker has imported and made its CUDA context, and waits for
    its request), "ready_for_gpu" (asks to share the GPU with other verifying workers),
    "ready_to_time" (asks for the GPU alone), "left_gpu" (gives a shared
    grant back while it compiles off the device), "yield_gpu" (a sharer between two
    verification trials: a timer waiting goes first, then the grant comes back),
    "result" (payload is
    the job's result), "bad_input" (the problem or candidate cannot be used;
    payload has "reason"), "progress" (payload has "phase").
    """

    type: str
    payload: dict[str, Any] = field(default_factory=dict)

    def to_line(self) -> str:
        return json.dumps({"type": self.type, "payload": self.payload}) + "\n"

    @classmethod
    def from_line(cls, line: str) -> WorkerMessage:
        data = json.loads(line)
        return cls(type=data["type"], payload=data.get("payload", {}))


def describe_exit(code: int | None) -> str:
    """Why a worker (or a judge's runner) ended without a verdict, from its exit status."""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker died of {name}"
    return f"the worker exited with status {code} before a verdict"


GO_TIMING = "go\n"  # parent → worker on stdin: the GPU access asked for is granted
# worker → parent between verification trials (pool.WorkerPool._converse): a shared
# phase was a whole verification, and a timer waited for every sharer's to end while
# no newcomer joined (harness/gpu_gate.py); at eight large searches on an H200 the
# gate's wait grew with the evaluations on the device and throughput did not
# (benchmarks/results/h200-2026-12-04-bench-large-one-input-set).
YIELD_GPU = "yield_gpu"
# Flags of a verdict the judge (harness/judge.py) gave instead of the runner's: it refused
# the claim; and, beside that, it drew other inputs than the runner verified on, which
# says nothing of the candidate (harness/evaluate.py runs the evaluation once more).
CLAIM_REFUSED_FLAG = "judge:claim-refused"
INPUTS_DIFFER_FLAG = "judge:inputs-differ"
# The candidate left processes running past its runner (a `setsid` child escapes the
# runner's process group); the judge ended them before it decided (harness/judge.py).
STRAYS_ENDED_FLAG = "judge:candidate-processes-ended"
# Set by the pool (harness/pool.py) where the sandbox gives each worker a PID namespace
# of its own: only there may the judge end every process but its own (`end_strays`).
OWN_PID_NAMESPACE_ENV = "KERNELWRIGHT_OWN_PID_NAMESPACE"
# The worker's flag for the job that compiles the harness's own kernels and runs nothing
# else, and the variable that tells an evaluation worker its private Triton cache holds
# them already (harness/kernel_cache.py, harness/worker.py `_start_cuda`).
COMPILE_HARNESS_KERNELS_FLAG = "--compile-harness-kernels"
HARNESS_KERNELS_CACHED_ENV = "KERNELWRIGHT_HARNESS_KERNELS_CACHED"
# worker → parent, "progress" phases around the problem's import (and its inputs).
# Between the two a hang or an exit is the problem's fault, not the candidate's, and
# the parent's import timeout runs only then (not while torch imports or the GPU waits).
PROBLEM_IMPORT = "problem_import"
PROBLEM_LOADED = "problem_loaded"
