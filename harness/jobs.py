"""Worker side: what each job kind does. `run_eval` drives harness.pipeline."""

from __future__ import annotations

from typing import Any

import torch
from kernelwright.harness import (
    derived_shapes,
    guards,
    memory,
    ncu,
    profiling,
    shape_trials,
    timed_phase,
    timing,
)
from kernelwright.harness.loading import build_reference, load_problem
from kernelwright.harness.messages import SHAPE_SPECIFIC_FLAG, JobRequest, Outcome
from kernelwright.harness.phases import PhaseClock
from kernelwright.harness.pipeline import (
    EvalPipeline,
    baseline_then_gpu,
    device_of,
    seeded_inputs,
    versions,
    warm_compiled,
)
from kernelwright.harness.precision import (
    float_dtypes,
    fp32_only,
    needs_float64_reference,
    tf32_reference,
)
from kernelwright.harness.verdicts import Verdict


def run_eval(request: JobRequest, channel: Any) -> dict[str, Any]:
    pipeline = EvalPipeline(request, channel)
    result = pipeline.result
    timer = pipeline.clock  # the worker's own phases; the GPU waits are the parent's
    try:
        if pipeline.device.type == "cuda":
            channel.share_gpu()  # compile and verify alongside others; timing waits its turn
        timer.enter("load")
        pipeline.load()
        if pipeline.device.type == "cuda":
            timer.enter("compile")
            pipeline.compile_pass()
        timer.enter("verify")
        seeds = request.trial_seeds()
        stats = pipeline.verify_trials(seeds, first=True)
        shapes = shape_trials.verify_other_shapes(pipeline)
        result.correctness = {
            "trials": len(seeds),
            "passed": len(seeds),
            "max_abs_error": stats.max_abs,
            "max_rel_error": stats.max_rel,
            "criterion": stats.criterion,
            "atol": stats.tolerance,
            "rtol": stats.tolerance,
            "notes": stats.notes,
            "shared_weights": pipeline.shared_weights,
            "shapes": shapes,
        }
        if any(entry["status"] == "original" for entry in shapes):
            result.flags.append(SHAPE_SPECIFIC_FLAG)
        pipeline.check_environment()
        if request.time_candidate:
            timer.enter("time")  # from the wait for the GPU alone (parent's "waiting")
            timed_phase.time_and_profile(pipeline)
            timer.enter("reverify")
            timed_phase.reverify_if_suspicious(pipeline)
            pipeline.check_environment()
        result.message = f"verified on {len(seeds)} trials" + derived_shapes.summary(shapes)
    except Verdict as verdict:
        result.outcome = verdict.outcome.value
        result.message = verdict.message
        result.flags.extend(verdict.flags)
        if result.outcome != Outcome.OK.value:
            result.timing = result.speedup = None
    if (
        torch.cuda.is_available()
        and result.outcome == Outcome.RUNTIME_ERROR.value
        and "CUDA" in result.message
        and memory.OUT_OF_MEMORY_FLAG not in result.flags  # the context survives an OOM
    ):
        result.flags.append("cuda-error: worker retired")
    if request.use_ncu and result.outcome == Outcome.OK.value and result.profile is not None:
        timer.enter("ncu")
        result.profile["ncu"] = ncu_profile(request, channel, request.candidate_source)
    timer.enter(None)
    result.seconds = {"phases": timer.rounded()}
    if pipeline.device.type == "cuda":
        peak = torch.cuda.max_memory_reserved(pipeline.device)
        result.gpu_memory = memory.usage(request.memory_estimate, peak)
    return result.to_dict()


def run_profile(request: JobRequest, channel: Any) -> dict[str, Any]:
    device = device_of(request)
    clock = PhaseClock()
    if device.type == "cuda":
        clock.enter("gpu-wait")
        channel.share_gpu()
    clock.enter("load")
    problem = load_problem(request.problem_source, request.problem_path, channel)
    reference = build_reference(problem, request.seed, device)
    inputs = seeded_inputs(problem, request.seed, device)
    trace = guards.OpTrace()
    if device.type == "cuda":  # the forward's own peak sizes later jobs (harness/memory.py)
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
    with torch.no_grad(), trace:
        out = reference(*inputs)
    working = torch.cuda.max_memory_allocated(device) - before if device.type == "cuda" else None
    nbytes = profiling.unique_bytes(reference, inputs, out)
    flops = profiling.count_flops(reference, inputs)
    dtype_key = profiling.compute_dtype_key(
        out.dtype if isinstance(out, torch.Tensor) else torch.float32,
        device.type == "cuda" and guards.tf32_in_use(trace.ops),
    )
    contenders = {"eager": reference}
    if device.type == "cuda":
        clock.enter("compile-and-wait")  # the torch.compile baseline, then the GPU alone
        compiled = baseline_then_gpu(
            channel,
            request.compile_mode,
            (lambda: warm_compiled(reference, inputs, request.compile_mode))
            if request.compile_baseline
            else None,
        )
        if compiled is not None:
            contenders["compile"] = compiled
        clock.enter("timing")
        with torch.no_grad():
            timings = timing.time_cuda(
                contenders, inputs, request.timing_max_reps, request.timing_target_rse
            )
    else:
        with torch.no_grad():
            timings = timing.time_cpu(contenders, inputs, target_rse=request.timing_target_rse)
    eager = timings["eager"]
    profile = profiling.build_profile(eager["median_ms"], nbytes, flops, dtype_key, request.peaks)
    if request.use_ncu:
        clock.enter("ncu")
        profile["ncu"] = ncu_profile(request, channel, None)
    clock.enter(None)
    return {
        "seconds": clock.rounded(),
        "device": str(device),
        "timing": eager,
        "compile_timing": timings.get("compile"),
        "profile": profile,
        "numerics": guards.PrecisionFlags.read(),
        # The generator may then offer plain-TF32 products (generator/heuristics.py).
        "tf32_products": tf32_reference(
            device, fp32_only(float_dtypes(reference, inputs)), trace.ops + trace.aten
        ),
        "versions": versions(),
        "output": {"shape": list(out.shape), "dtype": str(out.dtype)}
        if isinstance(out, torch.Tensor)
        else None,
        "memory": memory.measured(
            reference,
            inputs,
            out,
            working,
            float64_every_trial=needs_float64_reference(
                device, fp32_only(float_dtypes(reference, inputs)), trace.ops
            ),
        ).to_dict(),
    }


def ncu_profile(request: JobRequest, channel: Any, candidate_source: str | None) -> dict[str, Any]:
    """Nsight Compute's view of one forward; a note instead when it cannot be had.

    ncu's replays measure throughput, so they need the GPU alone, as timing
    does (already granted after timing: then this asks nothing).
    """
    if request.device != "cuda":
        return {"unavailable": f"ncu profiles CUDA kernels; this ran on {request.device}"}
    channel.wait_for_gpu()
    torch.cuda.empty_cache()  # ncu's target process needs the memory this one cached
    try:
        return ncu.collect(request.problem_source, candidate_source, request.seed)
    except Exception as err:  # the profile is extra: it must never cost the verdict
        return {"unavailable": f"ncu failed: {type(err).__name__}: {err}"}


def run_capture(request: JobRequest, channel: Any) -> dict[str, Any]:
    """The reference's graph: shapes and dtypes only, so no GPU, and first on the meta
    device, where a problem of several GB costs no memory and no time drawing random
    numbers (on the H200 machine eight searches' captures of 1-7 GB problems took
    67-87 s on real CPU tensors). A problem that needs real values (`.item()`, a
    constant copied out of a tensor) is captured again on CPU tensors, as before."""
    from kernelwright.harness.capture import capture_graph

    problem = load_problem(request.problem_source, request.problem_path, channel)
    try:
        meta = torch.device("meta")
        graph = capture_graph(
            build_reference(problem, request.seed, meta), seeded_inputs(problem, request.seed, meta)
        )
        if graph.get("capture") == "export" and "unsupported" not in graph:
            return graph
    except Exception:  # noqa: BLE001 - any failure on meta tensors: the CPU capture decides
        pass
    device = torch.device("cpu")
    reference = build_reference(problem, request.seed, device)
    return capture_graph(reference, seeded_inputs(problem, request.seed, device))


def run_peaks(request: JobRequest, channel: Any) -> dict[str, Any]:
    from kernelwright.harness.peaks import measure_peaks

    device = device_of(request)
    if device.type == "cuda":
        channel.wait_for_gpu()
    return {**measure_peaks(device), "versions": versions()}
