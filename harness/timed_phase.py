"""Worker side: an evaluation's timed phase, after its verdict on correctness.

The candidate runs against eager PyTorch (and the torch.compile baseline) with
the GPU alone, its work must stay on the timed stream, its profile is built,
and a result too good to be true is verified once more before it is believed.
Each function takes the evaluation's pipeline (harness/pipeline.py), whose
loaded models, inputs and result it reads and fills in; harness/jobs.py calls
`time_and_profile` and `reverify_if_suspicious` in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
from kernelwright.harness import guards, profiling, timing
from kernelwright.harness.messages import MIN_TRIALS, Outcome
from kernelwright.harness.pipeline import baseline_then_gpu, seeded_inputs, warm_compiled
from kernelwright.harness.verdicts import CandidateRaised, Verdict

if TYPE_CHECKING:
    from kernelwright.harness.pipeline import EvalPipeline

SUSPICIOUS_SPEEDUP = 10.0  # DESIGN.md: above this, re-verify before believing it
REVERIFY_TRIALS = MIN_TRIALS  # every input distribution once
NOISY_IQR_SHARE = 0.10  # beyond this spread a timing is reported as noisy


def check_streams(p: EvalPipeline, inputs: list) -> None:
    if p.device.type != "cuda":
        return
    with torch.no_grad():
        ref_streams = guards.kernel_streams(lambda: p.reference(*inputs))
        cand_streams = guards.kernel_streams(lambda: _candidate(p)(*inputs))
    extra = cand_streams - ref_streams
    if extra:
        raise Verdict(
            Outcome.REJECTED,
            f"work on other CUDA streams {sorted(extra)} escapes the timed stream",
            ["dynamic:other-stream"],
        )


def time_and_profile(p: EvalPipeline) -> None:
    req = p.request
    inputs = seeded_inputs(p.problem, req.seed + 7919, p.device)
    with torch.no_grad():
        ref_out = p.reference(*inputs)
    nbytes = profiling.unique_bytes(p.reference, inputs, ref_out)
    flops = req.reference_flops
    if flops is None:
        flops = profiling.count_flops(p.reference, inputs)
    dtype_key = profiling.compute_dtype_key(
        ref_out.dtype if isinstance(ref_out, torch.Tensor) else torch.float32,
        p.device.type == "cuda" and guards.tf32_in_use(p.reference_ops),
    )
    del ref_out  # sized and typed: not kept through timing beside each contender's output
    p.result.numerics = {
        **p.numerics,
        "reference_dtypes": sorted(str(d) for d in p.dtypes),
    }
    if p.device.type == "cpu":
        timings = timing.time_cpu({"eager": p.reference}, inputs, target_rse=req.timing_target_rse)
        p.result.baseline = {"eager_ms": timings["eager"]["median_ms"], "compile_ms": None}
        if getattr(p, "launches", 0):
            p.result.timing_note = (
                "Triton ran under the interpreter on CPU, which says "
                "nothing about speed: no timing, no speedup"
            )
        p.result.profile = profiling.build_profile(None, nbytes, flops, dtype_key, req.peaks)
        return
    try:
        timings = _time_contenders(p, inputs)
    except CandidateRaised as raised:  # the candidate failed where only it runs
        raise p._candidate_failed(raised.error, "running ModelNew for timing") from raised.error
    cand = timings["candidate"]
    left = (cand.get("persisting_l2") or {}).get("after")
    if left:
        raise Verdict(
            Outcome.REJECTED,
            f"the candidate set aside {left} bytes of L2 for persisting accesses, which "
            "survive the flush between timed repetitions",
            ["dynamic:persisting-l2"],
        )
    p.result.timing = cand
    if cand["iqr_ms"] > NOISY_IQR_SHARE * cand["median_ms"]:
        p.result.flags.append(
            f"noisy-timing: IQR {100 * cand['iqr_ms'] / cand['median_ms']:.0f}% "
            "of the median (another process on the GPU?)"
        )
    eager_ms = timings["eager"]["median_ms"]
    compile_ms = timings["compile"]["median_ms"] if "compile" in timings else None
    p.result.baseline = {
        "eager_ms": eager_ms,
        "compile_ms": compile_ms,
        "eager_iqr_ms": timings["eager"]["iqr_ms"],
        "compile_mode": req.compile_mode if compile_ms else None,
    }
    p.result.speedup = {
        "vs_eager": eager_ms / cand["median_ms"],
        "vs_compile": compile_ms / cand["median_ms"] if compile_ms else None,
    }
    p.result.profile = profiling.build_profile(
        cand["median_ms"], nbytes, flops, dtype_key, req.peaks
    )
    p.result.profile["reference"] = profiling.build_profile(
        eager_ms, nbytes, flops, dtype_key, req.peaks
    )
    p.result.profile["triton_kernels"] = profiling.triton_kernel_metadata(p.module)


def _time_contenders(p: EvalPipeline, inputs: list) -> dict[str, dict[str, Any]]:
    req = p.request
    # The stream check runs both models under the profiler: a verification, not
    # a measurement, so it runs before the GPU is taken alone.
    p.clock.enter("time:streams")
    check_streams(p, inputs)
    p.clock.enter("time:gpu-wait")
    compiled = baseline_then_gpu(
        p.channel,
        req.compile_mode,
        (lambda: _compiled_reference(p)) if req.compile_baseline else None,
    )
    contenders: dict[str, Callable[..., Any]] = {"candidate": _candidate(p), "eager": p.reference}
    if compiled is not None:
        contenders["compile"] = compiled
        # Inductor starts its own compile workers; they are the baseline's, not the
        # candidate's (whose threads were already checked after verification).
        p.threads = guards.ThreadGuard()
    p.clock.enter("time:timing")
    with torch.no_grad():
        timed = timing.time_cuda(contenders, inputs, req.timing_max_reps, req.timing_target_rse)
    p.clock.enter("time:profile")
    return timed


def _candidate(p: EvalPipeline) -> Callable[..., Any]:
    def call(*inputs):
        try:
            return p.candidate(*inputs)
        except Exception as err:  # the candidate's, not the timer's or the profiler's
            raise CandidateRaised(err) from err

    return call


def _compiled_reference(p: EvalPipeline) -> Any:
    try:
        return warm_compiled(
            p.reference,
            seeded_inputs(p.problem, p.request.seed, p.device),
            p.request.compile_mode,
        )
    except Exception as err:  # the baseline failing is a note, not the candidate's verdict
        p.result.flags.append(f"compile-baseline-failed: {type(err).__name__}")
        return None


def reverify_if_suspicious(p: EvalPipeline) -> None:
    """A result too good to be true is checked again on fresh seeds before it is believed."""
    reasons = []
    speedup = (p.result.speedup or {}).get("vs_eager")
    if speedup and speedup > SUSPICIOUS_SPEEDUP:
        reasons.append(f"{speedup:.1f}× vs eager")
    reasons += profiling.above_peak(p.result.profile or {})
    # Always re-check once after timing: a candidate that behaves only
    # while it believes it is being verified is caught here.
    seeds = [p.request.seed + 100_003 + i for i in range(REVERIFY_TRIALS if reasons else 1)]
    try:
        p.verify_trials(seeds, first=False)
    except Verdict as verdict:
        raise Verdict(
            Outcome.REJECTED,
            f"the result did not survive re-verification after timing: {verdict.message}",
            ["dynamic:reverify-failed"],
        )
    if reasons:
        p.result.flags.append("reverified: " + ", ".join(reasons))
    above = profiling.above_peak(p.result.profile or {})
    if above:
        raise Verdict(
            Outcome.REJECTED,
            "achieved rate above the measured device peak ("
            + ", ".join(above)
            + "): the timing cannot be right",
            ["dynamic:above-peak"],
        )
