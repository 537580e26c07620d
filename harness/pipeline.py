"""Worker side: the verdict pipeline of one evaluation (load, compile, verify, guard).

Its timed phase (timing, profile, re-verification) is harness/timed_phase.py.
"""

from __future__ import annotations

import copy
import platform
from collections.abc import Callable
from typing import Any

import torch

# Imported while a spare waits for its request: the harness's own calls (the meta-device
# sampling in harness/loading.py, guards.py's torch-function mode) import it anyway, and
# left to them it cost 2-3 s inside every job, capture and profile on an H200 (py-spy,
# benchmarks/results/h200-2026-12-03-large-harness-startup/). Its import wraps
# torch.manual_seed, which guards.PatchGuard knows.
import torch._dynamo  # noqa: F401
from kernelwright.harness import (
    derived_shapes,
    distributions,
    guards,
    memory,
    precompile,
    verify,
)
from kernelwright.harness.handover import (
    InputsDiffer,
    OutputHandover,
    differing_inputs,
    digest_values,
)
from kernelwright.harness.loading import (
    BadInput,
    Problem,
    build_candidate,
    build_reference,
    load_module,
    load_problem,
    move_inputs,
)
from kernelwright.harness.messages import NO_KERNEL_FLAG, EvalResult, JobRequest, Outcome
from kernelwright.harness.phases import PhaseClock
from kernelwright.harness.precision import (
    float_dtypes,
    fp32_only,
    needs_float64_reference,
    tf32_reference,
)
from kernelwright.harness.static_checks import find_cheats
from kernelwright.harness.verdicts import (
    Verdict,
    classify_exception,
    error_message,
    reject_findings,
)


def versions() -> dict[str, str]:
    info = {"torch": torch.__version__, "python": platform.python_version()}
    try:
        import triton

        info["triton"] = triton.__version__
    except ImportError:
        info["triton"] = "absent"
    if torch.cuda.is_available():
        info["cuda"] = str(torch.version.cuda)
    return info


def device_of(request: JobRequest) -> torch.device:
    return torch.device("cuda", 0) if request.device == "cuda" else torch.device("cpu")


def seeded_inputs(problem: Problem, seed: int, device: torch.device) -> list:
    """The problem's inputs for one seed, made on the device where they are used.

    Under `torch.device(device)` the factory calls in `get_inputs` allocate on
    the GPU directly: drawing gigabytes of random numbers on the CPU and
    copying them over took tens of seconds per trial on large problems.
    """
    torch.manual_seed(seed)
    with torch.device(device):
        return move_inputs(list(problem.get_inputs()), device)


def warm_compiled(reference: torch.nn.Module, inputs: list, mode: str) -> Any:
    """torch.compile of a copy of the reference, compiled now by one call rather
    than inside the first timed repetition's warm-up."""
    compiled = torch.compile(copy.deepcopy(reference), mode=mode)
    with torch.no_grad():
        compiled(*inputs)
    return compiled


def baseline_then_gpu(channel: Any, mode: str, build: Callable[[], Any] | None) -> Any:
    """Builds the torch.compile baseline (when `build` is given), then takes the GPU alone.

    Inductor's compilation is CPU work: it runs while this worker still shares
    the GPU, overlapping other workers, except max-autotune's, whose
    benchmarking must see an idle GPU to choose well, so it compiles after the grant.
    """
    if build is not None and "autotune" not in (mode or ""):
        compiled = build()
        channel.wait_for_gpu()
        return compiled
    channel.wait_for_gpu()
    return build() if build is not None else None


def _float_dtypes(problem: Problem, reference: torch.nn.Module, device: torch.device) -> set:
    return float_dtypes(reference, seeded_inputs(problem, 0, device))


def _finite(output: Any) -> bool:
    outs = output if isinstance(output, (tuple, list)) else [output]
    return all(
        verify.all_finite(o) for o in outs if isinstance(o, torch.Tensor) and o.is_floating_point()
    )


class EvalPipeline:
    def __init__(self, request: JobRequest, channel: Any):
        # The worker's phase clock (harness/jobs.py); timing splits its phase further.
        self.clock = PhaseClock()
        self.request, self.channel = request, channel
        self.device = device_of(request)
        self.result = EvalResult(
            outcome=Outcome.OK.value, message="", device=str(self.device), versions=versions()
        )
        self.numerics = guards.PrecisionFlags.read()
        self._skipped: set[str] = set()  # input distributions outside the problem's domain
        self._own_finite = True  # the reference's output on its own inputs (first trial)
        self._reference_writes_inputs = True  # until its first trial shows it does not
        self.tf32_findings: list = []  # load_candidate: decided at the reference's trace

    # -- phases ---------------------------------------------------------------
    def load(self) -> None:
        self.load_reference(self.channel)
        self.load_candidate()

    def load_reference(self, channel: Any = None) -> None:
        """The problem and its reference model: all the judge (harness/judge.py) loads."""
        req = self.request
        self.problem = load_problem(req.problem_source, req.problem_path, channel)
        self.reference = build_reference(self.problem, req.seed, self.device)
        self.dtypes = _float_dtypes(self.problem, self.reference, self.device)
        self.fp32 = fp32_only(self.dtypes)

    def load_candidate(self) -> None:
        req = self.request
        source = req.candidate_source
        assert source is not None  # an evaluation request carries its candidate
        try:
            findings = find_cheats(source, self.fp32, req.problem_source or "")
        except SyntaxError as err:
            raise Verdict(Outcome.COMPILE_ERROR, f"SyntaxError: {err.msg} (line {err.lineno})")
        # Plain-TF32 products wait for the reference's traced ops (first trial), but
        # only where they could be allowed: a CUDA device and an fp32 problem.
        deferrable = self.device.type == "cuda" and self.fp32
        self.tf32_findings = [f for f in findings if f.unless_reference_tf32 and deferrable]
        reject_findings([f for f in findings if f not in self.tf32_findings])
        self.patches = guards.PatchGuard()
        self.threads = guards.ThreadGuard()
        self.flags_guard = guards.PrecisionFlags()
        self._import_candidate()

    def _import_candidate(self) -> None:
        """The candidate's module, imported afresh, and its ModelNew built. A second
        import (after a tainted precompile) keeps the guards the first one snapshotted:
        what the first import patched must still count against it."""
        req = self.request
        source = req.candidate_source
        assert source is not None
        try:
            self.module = load_module(source, "kernelwright_candidate.py", "kernelwright_candidate")
        except Exception as err:
            raise Verdict(Outcome.COMPILE_ERROR, error_message(err, "importing the candidate"))
        if not hasattr(self.module, "ModelNew"):
            raise BadInput("the candidate defines no `ModelNew`")
        try:
            self.candidate, shared = build_candidate(
                self.module, self.problem, self.reference, req.seed, self.device
            )
        except Exception as err:
            raise self._candidate_failed(err, "building ModelNew") from err
        self.shared_weights = shared

    def compile_pass(self) -> None:
        """One call before verification, so Triton's JIT and autotuning overlap other workers.

        It runs on a copy of the model, so a candidate that counts its calls
        sees the same count in verification as it would without this pass. On
        a GPU it is first tried off the GPU gate (harness/precompile.py).
        """
        inputs = seeded_inputs(self.problem, self.request.seed, self.device)
        done = precompile.compile_off_the_gate(self.candidate, inputs, self.device, self.channel)
        if done is precompile.Precompiled.YES:
            return
        if done is precompile.Precompiled.TAINTED:
            self._import_candidate()  # its module's state came from launches that never ran
        if self.device.type == "cuda":
            self.clock.enter("compile:shared")  # how often the capture fell back, in bench
        try:
            scratch = copy.deepcopy(self.candidate)
        except Exception:  # not copyable: it compiles in its first verification trial instead
            return
        try:
            with torch.no_grad():
                verify.run_synchronized(lambda: scratch(*inputs), self.device)
        except Exception as err:
            raise self._candidate_failed(err, "running ModelNew") from err

    def _run_candidate(self, inputs: list, trace: bool) -> tuple[Any, dict[str, Any]]:
        info: dict[str, Any] = {}
        if not hasattr(self.candidate, "as_handed_over"):
            # The judge's replay reads its outputs from files: no memory of its is reused
            # unwritten, and the NaN block (twice a multi-GB output) was its own cost.
            verify.poison_allocator(self.device, self._poison_bytes)
        op_trace = guards.OpTrace() if trace else None
        try:
            with (
                guards.reference_tripwire(self.problem.model_cls) as calls,
                guards.KernelLaunchCounter() as launches,
                torch.no_grad(),
            ):
                if op_trace is not None:
                    with op_trace:
                        out = verify.run_synchronized(lambda: self.candidate(*inputs), self.device)
                else:
                    out = verify.run_synchronized(lambda: self.candidate(*inputs), self.device)
        except Verdict:
            raise
        except Exception as err:
            raise self._candidate_failed(err, "running ModelNew") from err
        info.update(reference_calls=calls["n"], launches=launches.launches, trace=op_trace)
        return out, info

    def _candidate_failed(self, err: Exception, during: str) -> Verdict:
        """The candidate's exception as its verdict.

        Out of GPU memory, it is flagged: the parent runs the evaluation again
        with the device to itself (harness/evaluate.py), and only an evaluation
        that already had it alone says the memory ran out for the candidate.
        """
        if not memory.is_out_of_memory(err):
            return Verdict(classify_exception(err), error_message(err, during))
        message = error_message(err, during)
        if self.request.alone:
            message = (
                "the candidate ran out of GPU memory while running alone on the device "
                f"({memory.device_report(self.request.memory_estimate)}): {message}"
            )
        return Verdict(Outcome.RUNTIME_ERROR, message, [memory.OUT_OF_MEMORY_FLAG])

    def _reference_output(self, inputs: list, trace: bool = False):
        op_trace = guards.OpTrace() if trace else None
        with torch.no_grad():
            if op_trace is not None:
                with op_trace:
                    out = verify.run_synchronized(lambda: self.reference(*inputs), self.device)
            else:
                out = verify.run_synchronized(lambda: self.reference(*inputs), self.device)
        return out, op_trace

    def check_tf32_products(self) -> None:
        """Plain-TF32 `tl.dot`s are rejected unless the reference computes in TF32 too."""
        # Both traces: `a @ b` shows among the ATen ops only.
        ops = self.reference_ops + self.reference_aten
        if not tf32_reference(self.device, self.fp32, ops):
            reject_findings(self.tf32_findings)

    def _needs_float64_reference(self, reference_ops) -> bool:
        return needs_float64_reference(self.device, self.fp32, reference_ops)

    def _float64_reference(self, inputs: list):
        model64 = copy.deepcopy(self.reference).double()
        with torch.no_grad():
            return model64(
                *[
                    x.double() if isinstance(x, torch.Tensor) and x.is_floating_point() else x
                    for x in inputs
                ]
            )

    def verify_trials(
        self,
        seeds: list[int],
        first: bool,
        shape: derived_shapes.DerivedShape | None = None,
        derived: list | None = None,
    ) -> verify.ErrorStats:
        """Trials at the problem's shape, or at the derived `shape`
        (harness/derived_shapes.py; the problem's own values, narrowed or grown).
        `derived`: one seed's inputs at `shape`, already built by the caller
        (harness/shape_trials.py), so a GB-sized draw is not made twice."""
        if derived is not None and len(seeds) != 1:
            raise ValueError("derived inputs serve exactly one seed")
        stats = verify.ErrorStats()
        base = seeds[0]
        handover = OutputHandover.open(self.request.outputs_dir, seeds, first, shape)
        for index, seed in enumerate(seeds):
            if index or not first:  # a waiting timed run goes first (messages.YIELD_GPU)
                getattr(self.channel, "yield_gpu", lambda: None)()
            if self.device.type == "cuda":
                # The last trial's blocks go back to the device: kept in PyTorch's cache
                # they added up, trial after trial, to 2.4x an evaluation's footprint
                # (harness/memory.py), which admission had let others use.
                torch.cuda.empty_cache()
            if shape is None:
                inputs, label = self._trial_inputs(seed, distributions.for_trial(index))
            else:
                inputs = derived if derived is not None else self._shape_inputs(seed, shape)
                label = f"at shape {derived_shapes.describe(inputs)}"
            if first and len(seeds) >= 5 and index == len(seeds) - 1:
                inputs = verify.relocated(inputs, self.device)
                label += " at another address"
            trace = first and seed == base
            digests = verify.input_digests(inputs)
            if trace:
                probe_inputs = verify.clone_inputs(inputs)
                with guards.KernelLaunchCounter() as reference_launches:
                    ref_probe, ref_trace = self._reference_output(probe_inputs, trace=True)
                self.reference_ops, self.reference_aten = ref_trace.ops, ref_trace.aten
                self.reference_aten_sizes = ref_trace.aten_sizes
                self._reference_launches = reference_launches.launches
                self.check_tf32_products()
                self._poison_bytes = verify.output_nbytes(ref_probe) * 2
                self._own_finite = _finite(ref_probe)
                self._reference_writes_inputs = not verify.inputs_unchanged(probe_inputs, digests)
                del ref_probe, probe_inputs
            # One input set is alive through the trial (harness/memory.py): the
            # candidate's, checked unchanged by digest, which the reference then runs on.
            out, info = self._run_candidate(inputs, trace=trace)
            if handover is not None:
                handover.add(out, seed, digests)
            # The judge's replay: where the runner drew other inputs, a mismatch below is
            # no verdict on the candidate (a problem's own get_inputs may draw through a
            # nondeterministic op, so outputs that still match are believed, as before).
            drawn = getattr(self.candidate, "input_digests", None)
            differ = None
            if drawn is not None and drawn != (mine := digest_values(digests)):
                differ = differing_inputs(drawn, mine)
            if not verify.inputs_unchanged(inputs, digests):
                raise Verdict(
                    Outcome.REJECTED,
                    "the candidate wrote into its inputs",
                    ["dynamic:input-mutation"],
                )
            if info["reference_calls"]:
                raise Verdict(
                    Outcome.REJECTED,
                    "the candidate called the reference Model",
                    ["dynamic:calls-reference"],
                )
            if trace:
                self._check_trace(info)
            # A reference that writes into its own inputs gets a copy: the float64
            # reference below needs them as the candidate saw them.
            ref_out, _ = self._reference_output(
                verify.clone_inputs(inputs) if self._reference_writes_inputs else inputs
            )
            ref64 = (
                self._float64_reference(inputs)
                if self._needs_float64_reference(self.reference_ops)
                else None
            )
            replayed = getattr(self.candidate, "as_handed_over", None)
            if replayed is not None:  # the judge compares what the runner handed over
                try:
                    ref_out, ref64 = replayed(ref_out, seed), replayed(ref64, seed)
                except ValueError as err:
                    raise Verdict(Outcome.WRONG, f"trial {index + 1} (seed {seed}, {label}): {err}")
            try:
                try:
                    stats.merge(verify.compare_outputs(out, ref_out, ref64))
                except verify.Mismatch as strict_failure:
                    if ref64 is not None or not self.dtypes:
                        raise
                    # Long fp32 reductions of heavy-tailed data differ from PyTorch's
                    # own summation order by more than 1e-4; the candidate passes if it
                    # is no further from the exact (float64) answer than 2× PyTorch is.
                    exact = self._float64_reference(inputs)
                    if replayed is not None:
                        exact = replayed(exact, seed)
                    try:
                        stats.merge(
                            verify.compare_outputs(
                                out,
                                ref_out,
                                exact,
                                slack=False,
                                accumulates=verify.accumulates(self.reference_ops),
                            )
                        )
                    except verify.Mismatch as second:
                        raise verify.Mismatch(f"{strict_failure}; {second}") from None
                    stats.notes.append(
                        f"trial {index + 1} ({label}): allclose failed ({strict_failure}); "
                        "passed the float64-bounded criterion"
                    )
            except verify.Mismatch as err:
                where = f"trial {index + 1} (seed {seed}, {label}"
                if differ is not None:
                    raise InputsDiffer(f"{where}; input {differ}): {err}") from None
                raise Verdict(Outcome.WRONG, f"{where}): {err}")
            except verify.Cheat as err:
                raise Verdict(Outcome.REJECTED, str(err), ["dynamic:tensor-subclass"])
            # Every tensor of this trial goes before the next draws its inputs: bound
            # until the loop rebound it, this trial's input set was alive beside the
            # next one's draw, a third set the footprint (harness/memory.py) never booked.
            del out, ref_out, ref64, inputs
        if handover is not None:
            handover.close()
        return stats

    def _trial_inputs(self, seed: int, name: str) -> tuple[list, str]:
        """One trial's inputs drawn from distribution `name`, and the label its messages use.

        A distribution under which the reference itself fails (raises, or goes
        non-finite where the problem's own inputs did not: log or sqrt of negative
        values, exp of large ones) is outside the problem's domain: it is skipped
        for the rest of the evaluation, and the trial uses the problem's own inputs.
        """
        inputs = seeded_inputs(self.problem, seed, self.device)
        if name == distributions.OWN or name in self._skipped:
            return inputs, distributions.LABELS[distributions.OWN]
        derived = distributions.derive(name, inputs)
        del inputs  # the domain check's clone is the second set alive, not a third
        if self.reference_defined_on(derived):
            return derived, distributions.LABELS[name]
        del derived
        self._skipped.add(name)
        self.result.flags.append(f"distribution-skipped:{name}")
        # the same seed draws the same values again (seeded_inputs)
        return seeded_inputs(self.problem, seed, self.device), distributions.LABELS[
            distributions.OWN
        ]

    def _shape_inputs(self, seed: int, shape: derived_shapes.DerivedShape) -> list:
        inputs = seeded_inputs(self.problem, seed, self.device)
        derived = derived_shapes.derive(inputs, shape, self.reference_defined_on)
        if derived is None:
            raise ValueError(f"no inputs at {shape.describe()} that the reference accepts")
        return derived

    def reference_defined_on(self, inputs: list) -> bool:
        try:
            out, _ = self._reference_output(verify.clone_inputs(inputs))
        except Exception as err:
            # a domain check of the reference's (binary_cross_entropy's [0, 1])
            if memory.is_out_of_memory(err):
                # The harness's memory, not the problem's domain: a ReLU whose check ran
                # out of memory beside other jobs skipped its large-magnitude trial, the
                # judge (with room) did not, and an honest kernel was `rejected` on an
                # H200. Out of memory here reruns the evaluation alone (harness/evaluate.py).
                raise
            return False
        return _finite(out) or not self._own_finite

    def _check_trace(self, info: dict[str, Any]) -> None:
        self.launches = info["launches"]
        trace: guards.OpTrace = info["trace"]
        if guards.reference_replicated(
            self.reference_aten_sizes, trace.aten_sizes, self._reference_launches, self.launches
        ):
            ops = ", ".join(sorted(self.reference_aten_sizes))
            raise Verdict(
                Outcome.REJECTED,
                (
                    f"the candidate runs the reference's own PyTorch ops ({ops}) at full size "
                    f"beside its {self.launches} Triton launch(es): torch does the reference's "
                    "work, whatever the kernels add"
                    if self.launches
                    else "the candidate launches no kernel of its own: it runs the "
                    f"reference's own PyTorch ops ({ops}), respelled"
                ),
                ["dynamic:reference-ops"],
            )
        downcasts = guards.downcast_dtypes(self.dtypes, trace.out_dtypes)
        if downcasts:
            raise Verdict(
                Outcome.REJECTED,
                "silent precision downcast: " + "; ".join(downcasts),
                ["dynamic:precision-downcast"],
            )
        if info["launches"] == 0:
            self.result.flags.append(NO_KERNEL_FLAG)

    def check_environment(self) -> None:
        problems = self.patches.changed() + self.threads.new_threads() + self.flags_guard.changed()
        if problems:
            raise Verdict(
                Outcome.REJECTED,
                "the candidate tampered with its environment: " + "; ".join(problems),
                ["dynamic:environment"],
            )
