"""Every outcome and every anti-cheat check, each with a candidate that must get it.

All candidates are evaluated once, concurrently, through the real harness
(spawned workers, Triton interpreter); the tests read the verdicts.
"""

from __future__ import annotations

import asyncio

import pytest
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import Limits, WorkerPool

from tests.conftest import CHEATS, PROBLEMS

SOFTMAX = PROBLEMS / "small_softmax.py"
LINEAR = PROBLEMS / "small_linear.py"
RELU = PROBLEMS / "relu_rand.py"  # its own inputs are never negative
LOG = PROBLEMS / "log_rand.py"
ATTENTION = PROBLEMS / "attention_scores_softmax.py"  # rows of 64: a power of two
SUM = PROBLEMS / "sum_over_dim.py"
HARDTANH = PROBLEMS / "hardtanh_rand.py"  # torch.rand: never below -1

# candidate file → (problem, expected outcome, expected flag or None)
EXPECTED = {
    "ok_softmax": (SOFTMAX, "ok", None),
    "ok_linear": (LINEAR, "ok", None),
    "ok_relu": (RELU, "ok", None),
    # log's domain is positive: the signed and zeros-and-ties trials are skipped, not failed
    "ok_log": (LOG, "ok", "distribution-skipped:signed"),
    "relu_as_copy": (RELU, "wrong", None),
    "hardtanh_no_lower_clamp": (HARDTANH, "wrong", None),
    "wrong_scaled": (SOFTMAX, "wrong", None),
    "compile_error_syntax": (SOFTMAX, "compile_error", None),
    "compile_error_triton": (SOFTMAX, "compile_error", None),
    "runtime_error": (SOFTMAX, "runtime_error", None),
    "timeout_loop": (SOFTMAX, "timeout", None),
    "crash_abort": (SOFTMAX, "crash", None),
    "crash_memory": (SOFTMAX, "crash", None),
    "memory_in_child": (SOFTMAX, "crash", None),
    "try_except_fallback": (SOFTMAX, "rejected", "static:try-except-fallback"),
    "calls_model": (SOFTMAX, "rejected", "static:calls-reference"),
    "finds_model_dynamically": (SOFTMAX, "rejected", "dynamic:calls-reference"),
    "reference_ops": (SOFTMAX, "rejected", "dynamic:reference-ops"),
    "reference_ops_respelled": (SOFTMAX, "rejected", "dynamic:reference-ops"),
    "reference_ops_linear": (LINEAR, "rejected", "dynamic:reference-ops"),
    # A Triton launch beside the reference's own ops at full size does none of its work;
    # torch's sum over a Triton first stage's partials is an honest two-stage reduction.
    "reference_ops_token_copy": (SOFTMAX, "rejected", "dynamic:reference-ops"),
    "reference_ops_scratch_kernel": (SOFTMAX, "rejected", "dynamic:reference-ops"),
    "ok_two_stage_sum": (SUM, "ok", None),
    "torch_compile": (SOFTMAX, "rejected", "static:torch-compile"),
    "threads_static": (SOFTMAX, "rejected", "static:threads"),
    "threads_dynamic": (SOFTMAX, "rejected", "dynamic:environment"),
    "other_stream": (SOFTMAX, "rejected", "static:other-stream"),
    "patch_timer_static": (SOFTMAX, "rejected", "static:monkey-patch"),
    "patch_timer_dynamic": (SOFTMAX, "rejected", "dynamic:environment"),
    # Importing torch._dynamo (torch.compile does) is not a patch; a look-alike of the
    # wrapper it puts around torch.manual_seed, around another function, is.
    "ok_imports_dynamo": (SOFTMAX, "ok", None),
    "patch_seed_wrapped": (SOFTMAX, "rejected", "dynamic:environment"),
    "downcast_static": (SOFTMAX, "rejected", "static:precision-downcast"),
    "downcast_dynamic": (SOFTMAX, "rejected", "dynamic:precision-downcast"),
    "mutates_input": (SOFTMAX, "rejected", "dynamic:input-mutation"),
    "stale_memory": (SOFTMAX, "wrong", None),
    "constant_output": (SOFTMAX, "wrong", None),
    "cached_output": (SOFTMAX, "wrong", None),
    "tensor_subclass": (SOFTMAX, "rejected", "dynamic:tensor-subclass"),
    "switches_after_verify": (SOFTMAX, "rejected", "dynamic:reverify-failed"),
    "harness_access": (SOFTMAX, "rejected", "static:harness-access"),
    "linear_tf32_dot": (LINEAR, "rejected", "static:precision-downcast"),
    # The process that runs the candidate holds no channel to the parent (harness/judge.py):
    # a forged `ok` reaches the judge as a claim, and the judge's own check refuses it.
    "forge_verdict": (SOFTMAX, "rejected", "judge:claim-refused"),
    "forge_after_verify": (SOFTMAX, "rejected", "judge:claim-refused"),
    # Nothing the runner leaves behind reaches the judge: a process it started past its
    # session is ended (and says so), a module it planted in the working directory is
    # not importable (the workers run with python -P).
    "leaves_process": (SOFTMAX, "ok", "judge:candidate-processes-ended"),
    "plants_module": (SOFTMAX, "ok", None),
    # Other shapes (harness/derived_shapes.py): right only at the problem's batch is
    # wrong; declining the other batches through `kw_accepts` is honest and recorded.
    "only_own_batch": (SOFTMAX, "wrong", None),
    "declines_other_batches": (SOFTMAX, "ok", "shape-specific"),
    "declines_own_shape": (SOFTMAX, "wrong", None),
    "pads_rows_with_zero": (ATTENTION, "wrong", None),
}


@pytest.fixture(scope="module")
def verdicts():
    async def run_all():
        # 1 GiB: well above a worker's ~400 MiB, below crash_memory's extra 768 MiB.
        harness = Harness(
            store=None,
            pool=WorkerPool(parallel=4),
            limits=Limits(timeout_s=45, memory_bytes=1 << 30),
        )
        # Each worker imports torch; a short timeout for the looping candidate only
        # would race that, so all share one limit and the loop simply waits it out.
        names = sorted(EXPECTED)
        results = await asyncio.gather(
            *[
                harness.evaluate(
                    str(EXPECTED[name][0]), (CHEATS / f"{name}.py").read_text(), device="cpu"
                )
                for name in names
            ]
        )
        return dict(zip(names, results))

    return asyncio.run(run_all())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_candidate_gets_its_verdict(verdicts, name):
    _, outcome, flag = EXPECTED[name]
    result = verdicts[name]
    assert result.outcome == outcome, (
        f"{name}: {result.outcome}: {result.message}\n{result.log_tail}"
    )
    if flag:
        assert flag in result.flags, f"{name}: flags {result.flags}: {result.message}"


def test_every_catalogued_candidate_is_tested():
    files = {
        p.stem for p in CHEATS.glob("*.py") if "(GPU only)" not in p.read_text().splitlines()[0]
    } - {"no_modelnew"}
    assert files == set(EXPECTED)


def test_every_outcome_is_covered():
    from kernelwright.harness.messages import Outcome

    assert {outcome for _, outcome, _ in EXPECTED.values()} == {o.value for o in Outcome}


def test_wrong_verdict_reports_mismatch_statistics(verdicts):
    message = verdicts["wrong_scaled"].message
    assert "max abs error" in message and "atol=rtol=0.0001" in message


def test_a_copy_passing_for_relu_on_non_negative_inputs_fails_on_signed_ones(verdicts):
    message = verdicts["relu_as_copy"].message
    assert message.startswith("trial 2 (seed 1, signed uniform inputs): ")
    assert "elements differ beyond atol=rtol=0.0001" in message


def test_a_clamp_missing_below_minus_one_fails_on_normal_inputs(verdicts):
    """Every other distribution of a torch.rand problem stays at -1 or above."""
    message = verdicts["hardtanh_no_lower_clamp"].message
    assert message.startswith("trial 6 (seed 5, standard normal inputs at another address): ")


def test_a_distribution_outside_the_problems_domain_is_skipped(verdicts):
    flags = verdicts["ok_log"].flags
    assert "distribution-skipped:zeros_ties" in flags  # log(0) is -inf
    assert not {"distribution-skipped:large", "distribution-skipped:heavy_tailed"} & set(flags)
    assert not [f for f in verdicts["ok_relu"].flags if f.startswith("distribution-skipped")]


def test_respelled_reference_ops_are_named_in_the_verdict(verdicts):
    message = verdicts["reference_ops_linear"].message
    assert "no kernel of its own" in message and "(add, matmul, relu), respelled" in message


def test_a_kernel_right_at_one_batch_only_is_wrong_at_the_shape_named(verdicts):
    message = verdicts["only_own_batch"].message
    assert message.startswith("trial 1 (seed 1000, at shape [1, 101]): "), message
    assert "shape" in message.split(": ", 1)[1]


def test_declined_shapes_are_reported_and_the_own_shape_must_be_accepted(verdicts):
    result = verdicts["declines_other_batches"]
    assert result.correctness["shapes"] == [
        {"shape": "[1, 101]", "derived": "leading dim 1", "status": "original"},
        {"shape": "[3, 101]", "derived": "leading dim 3", "status": "original"},
        {"shape": "[1, 99]", "derived": "leading dim 1, last dim 99", "status": "original"},
    ]
    assert "applied code runs the original PyTorch" in result.message
    assert [e["status"] for e in verdicts["ok_softmax"].correctness["shapes"]] == [
        "verified",
        "verified",
        "verified",  # its kernel takes the row length at run time
    ]


def test_a_kernel_right_only_at_power_of_two_rows_is_wrong_at_the_odd_width_named(verdicts):
    message = verdicts["pads_rows_with_zero"].message
    assert message.startswith("trial 1 (seed 1002, at shape [1, 4, 63, 63]): "), message
    message = verdicts["declines_own_shape"].message
    assert "`kw_accepts` declines the problem's own shape ([37, 101])" in message


def test_ok_on_cpu_has_no_invented_timing(verdicts):
    result = verdicts["ok_softmax"]
    assert result.timing is None and result.speedup is None
    assert "interpreter" in result.timing_note
    assert result.correctness["trials"] >= 6  # one per input distribution
    assert result.baseline["eager_ms"] > 0  # the torch reference is really timed on CPU


def test_a_low_precision_name_the_problem_itself_writes_is_not_the_candidates_downcast():
    """A tutorial's dtype table (`{torch.float16: tl.float16}`) carried from the user's
    file into the candidate is the reference's code too; a new `torch.float16` counts."""
    from kernelwright.harness.static_checks import find_cheats

    table = "_DTYPES = {torch.float32: tl.float32, torch.float16: tl.float16}\n"
    candidate = table + "y = x.to(torch.float16)\n"
    rules = [(f.rule, f.line) for f in find_cheats(candidate, True, problem_source=table)]
    assert rules == [("precision-downcast", 2)]
    assert [f.line for f in find_cheats(candidate, True)] == [1, 1, 2]


@pytest.mark.parametrize(
    "spelling",
    [
        "@torch.compile\ndef f(x):\n    return x",
        "from torch import compile\nf = compile(g)",
        "f = torch._dynamo.optimize('inductor')(g)",
        "from torch._inductor import config",
    ],
)
def test_each_spelling_of_torch_compile_is_found(spelling):
    from kernelwright.harness.static_checks import find_cheats

    rules = {f.rule for f in find_cheats("import torch\n" + spelling, True)}
    assert rules == {"torch-compile"}


def test_importing_dynamo_alone_is_not_torch_compile():
    from kernelwright.harness.static_checks import find_cheats

    assert not find_cheats("import torch._dynamo\nx = torch._dynamo.config", True)
