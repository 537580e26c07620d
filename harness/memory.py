"""GPU memory of one job: how much it needs, and how to tell its out-of-memory errors apart.

Both sides import this module, so it imports nothing but the standard library
at import time. The parent sizes a job before it lets the job onto a GPU
(harness/admission.py); the worker measures the reference's memory when it
profiles a problem (jobs.run_profile) and recognises an out-of-memory error.

An evaluation's footprint (`footprint`, bytes) is the sum of:

- context: a CUDA context with its cuBLAS/cuDNN workspaces and loaded kernels;
- weights: the reference's parameters and buffers, and the candidate's copy of
  them (a third copy with the torch.compile baseline, which compiles a copy);
- inputs and outputs: one input set and two outputs (the candidate's and the
  reference's) through a trial, whose inputs are checked unchanged by digest
  (verify.input_digests); or two input sets and one output, while a distribution's
  variant is drawn or the reference's domain is checked on a copy. So inputs +
  outputs + the larger of the two. A byte-exact copy of the inputs, kept through
  every trial before the digest, was a second set (a 6.4 GB softmax booked 30 GB).
  Timing rotates at most three copies, within 1 GiB (`timing_input_sets`). The
  poison block, twice the output, is freed before the candidate runs and stays in
  PyTorch's cache, where both outputs are carved from it, so it adds nothing of its own;
- working: the reference forward's intermediates, measured when the problem
  was profiled (its peak above inputs and weights, less its output); a
  candidate's are taken to be no larger;
- float64: the float64 reference, built on every trial of a TF32 convolution
  and after a strict mismatch on any float problem: weights, inputs and the
  working set again at 8 bytes an element. Reserved only where every trial
  builds it (or where that is not known): for a 6.4 GB ReLU it was 26 GB of a
  71 GB reservation, and eight searches' evaluations queued behind it;
- scratch: the comparison's, the input digest's and the finite check's, all chunked
  (2^24 elements × 8 bytes × 4 temporaries). The finite check ran whole until
  2026-12-04 (`torch.isfinite` on a whole output: an abs() copy and three boolean
  tensors): likely the fourth set the large problems' evaluations reserved on an H200
  (a count of live tensor bytes on the CPU finds it there; not yet measured on a GPU);

times HEADROOM for the caching allocator's rounding and fragmentation. A
profile job (the reference alone) needs the context, the weights, timing's
input copies and the working set.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

GIB = 1 << 30
# A CUDA context with cuBLAS and cuDNN handles and Triton's modules loaded.
CONTEXT_BYTES = 1 * GIB
COMPARE_SCRATCH_BYTES = (1 << 24) * 8 * 4
HEADROOM = 1.1
# An evaluation's footprint before any evaluation of its problem has measured one
# (harness/evaluate.py `_size`; later ones book the measured peak). On an H200 the first
# evaluations of five large problems reserved 1.20-1.39x the model, and eight searches
# start theirs together: four neighbours ran out of memory and were retried alone, each
# retry waiting for the device to empty (benchmarks/results/h200-2026-12-04-trial-steps/).
UNMEASURED_FACTOR = 1.4
# timing._input_copies: up to this many input sets, while they stay within the cap.
TIMING_INPUT_SETS_MAX = 3
TIMING_COPIES_MAX_BYTES = 1 << 30
# An evaluation flagged so has had a CUDA out-of-memory error in the candidate's code.
OUT_OF_MEMORY_FLAG = "cuda-out-of-memory"

_DTYPE_BYTES = {
    "float64": 8,
    "float32": 4,
    "float16": 2,
    "bfloat16": 2,
    "float8_e4m3fn": 1,
    "float8_e5m2": 1,
    "complex128": 16,
    "complex64": 8,
    "int64": 8,
    "int32": 4,
    "int16": 2,
    "int8": 1,
    "uint8": 1,
    "bool": 1,
}


@dataclass(frozen=True)
class ProblemMemory:
    """What a problem's reference holds on the device, in bytes."""

    inputs: int  # one set of forward arguments
    params: int  # the reference's parameters and buffers
    outputs: int  # the reference's output(s)
    working: int | None = None  # the forward's peak above inputs and weights; None: not measured
    float_bytes: int | None = None  # smallest floating element size; None: no float data
    # Whether every verification trial builds a float64 reference (a TF32 convolution on
    # CUDA); None: not known, reserved as if so. Where it is False, the float64 reference
    # built after a strict mismatch is not reserved: if that runs out of memory, the
    # harness's own out-of-memory error runs the evaluation again alone (harness/evaluate.py).
    float64_every_trial: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def timing_input_sets(nbytes: int) -> int:
    """How many copies of the inputs timing rotates over (timing._input_copies)."""
    return max(1, min(TIMING_INPUT_SETS_MAX, TIMING_COPIES_MAX_BYTES // max(nbytes, 1)))


def footprint(problem: ProblemMemory, job: str = "eval", compile_baseline: bool = False) -> int:
    """Bytes of GPU memory one job on this problem is expected to need (see the module doc)."""
    working = max(problem.working or 0, problem.outputs)  # the forward's peak, output included
    weights = problem.params * (2 if job == "eval" else 1)
    if compile_baseline:
        weights += problem.params
    if job == "profile":
        need = weights + timing_input_sets(problem.inputs) * problem.inputs + working
    else:
        intermediates = working - problem.outputs
        float64 = 0
        if problem.float_bytes and problem.float64_every_trial is not False:
            float64 = 8 // problem.float_bytes * (problem.params + problem.inputs + working)
        need = (
            weights
            + problem.inputs
            + problem.outputs
            + max(problem.inputs, problem.outputs)
            + intermediates
            + float64
            + COMPARE_SCRATCH_BYTES
        )
    return int((CONTEXT_BYTES + need) * HEADROOM)


def from_profile(payload: dict[str, Any]) -> ProblemMemory | None:
    """The memory facts a profile job measured (jobs.run_profile)."""
    facts = payload.get("memory")
    if isinstance(facts, dict):
        try:
            return ProblemMemory(**facts)
        except TypeError:
            return None
    # A profile stored before it measured memory: unique bytes (inputs, weights and
    # output) and the output's shape; weights counted as inputs, which overstates.
    nbytes = (payload.get("profile") or {}).get("bytes")
    output = payload.get("output") or {}
    if not isinstance(nbytes, int) or nbytes <= 0:
        return None
    out_bytes = _tensor_bytes(output)
    return ProblemMemory(
        inputs=max(nbytes - out_bytes, 0),
        params=0,
        outputs=out_bytes,
        float_bytes=_float_bytes([output]),
    )


def from_capture(graph: dict[str, Any]) -> ProblemMemory | None:
    """Shapes the capture recorded (harness/capture.py): known before the problem is profiled."""
    inputs = [i for i in graph.get("inputs") or [] if isinstance(i, dict)]
    if not inputs:
        return None
    params = [p for p in graph.get("params") or [] if isinstance(p, dict)]
    nodes = {n.get("name"): n for n in graph.get("nodes") or [] if isinstance(n, dict)}
    outputs: list[dict[str, Any]] = []
    for ref in graph.get("outputs") or []:
        node = nodes.get(ref) if isinstance(ref, str) else None
        if node is not None:
            outputs += node.get("outputs") or [node]
    out_bytes = sum(_tensor_bytes(o) for o in outputs)
    in_sizes = [_tensor_bytes(i) for i in inputs]
    return ProblemMemory(
        inputs=sum(in_sizes),
        params=sum(_tensor_bytes(p) for p in params),
        # Not traced: an output the size of the largest input, as elementwise ops make.
        outputs=out_bytes or max(in_sizes),
        float_bytes=_float_bytes(inputs + params + outputs),
    )


def measured(
    reference: Any,
    inputs: list,
    out: Any,
    working: int | None,
    float64_every_trial: bool | None = None,
) -> ProblemMemory:
    """The facts, from live tensors (worker side; any object with numel/element_size counts)."""
    weights = [*reference.parameters(), *reference.buffers()]
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    tensors = [t for t in [*inputs, *weights, *outs] if hasattr(t, "element_size")]
    floats = [t.element_size() for t in tensors if t.is_floating_point()]

    def total(items: list) -> int:
        return sum(t.numel() * t.element_size() for t in items if hasattr(t, "element_size"))

    return ProblemMemory(
        inputs=total(inputs),
        params=total(weights),
        outputs=total(outs),
        working=working,
        float_bytes=min(floats) if floats else None,
        float64_every_trial=float64_every_trial,
    )


def is_out_of_memory(err: BaseException) -> bool:
    """torch.OutOfMemoryError, or a RuntimeError that says the device ran out of memory."""
    if any(cls.__name__ == "OutOfMemoryError" for cls in type(err).__mro__):
        return True
    return isinstance(err, RuntimeError) and "out of memory" in str(err).lower()


def usage(estimate: int | None, peak_reserved: int) -> dict[str, Any]:
    """An evaluation's measured GPU memory beside the footprint it was admitted with:
    the worker's allocator peak plus the context (which the allocator does not see).
    `over_estimate` > 1 means admission let in a job bigger than it booked."""
    measured = measured_usage({"peak_reserved_bytes": peak_reserved}) or CONTEXT_BYTES
    return {
        "estimate_bytes": estimate,
        "peak_reserved_bytes": peak_reserved,
        "over_estimate": round(measured / estimate, 3) if estimate else None,
    }


def measured_usage(gpu_memory: dict[str, Any] | None) -> int | None:
    """Bytes an evaluation was measured to take (`usage`): its allocator's peak and the
    context; None where nothing was measured (a CPU run)."""
    peak = (gpu_memory or {}).get("peak_reserved_bytes")
    return peak + CONTEXT_BYTES if isinstance(peak, int) and peak > 0 else None


def device_report(estimate: int | None) -> str:
    """The estimate and the device's memory, for a message (worker side)."""
    parts = [f"estimated footprint {gib(estimate)}" if estimate else "no footprint estimate"]
    try:
        import torch

        if torch.cuda.is_available() and torch.cuda.is_initialized():
            free, total = torch.cuda.mem_get_info()
            mine = torch.cuda.memory_reserved()
            parts.append(f"device memory {gib(total)}, {gib(free + mine)} of it free or this job's")
    except Exception:  # a report, not a verdict: what cannot be read is left out
        pass
    return "; ".join(parts)


def gib(nbytes: int | float) -> str:
    return f"{nbytes / GIB:.1f} GiB"


def _tensor_bytes(meta: dict[str, Any]) -> int:
    shape = meta.get("shape")
    if not isinstance(shape, list):
        return 0
    count = 1
    for size in shape:
        count *= int(size)
    return count * _DTYPE_BYTES.get(_dtype_name(meta), 4)


def _float_bytes(metas: list[dict[str, Any]]) -> int | None:
    sizes = [
        _DTYPE_BYTES[name]
        for name in map(_dtype_name, metas)
        if name.startswith(("float", "bfloat")) and name in _DTYPE_BYTES
    ]
    return min(sizes) if sizes else None


def _dtype_name(meta: dict[str, Any]) -> str:
    return str(meta.get("dtype") or "").removeprefix("torch.")
