"""An evaluation takes the reference's FLOPs from the problem's profile, which counted them
once, rather than running the reference again under torch's flop counter."""

from __future__ import annotations

from kernelwright.harness.evaluate import Harness
from kernelwright.harness.store import content_hash

from tests.conftest import CHEATS, PROBLEMS

LINEAR = PROBLEMS / "small_linear.py"


async def test_an_evaluation_reports_the_flops_its_profile_counted(tmp_path):
    harness = Harness()
    profile = await harness.profile(str(LINEAR), device="cpu", use_cache=False)
    counted = profile["profile"]["flops"]
    assert counted > 0  # a linear layer: the counter sees its matmul
    result = await harness.evaluate(
        str(LINEAR), (CHEATS / "ok_linear.py").read_text(), "cpu", use_cache=False
    )
    assert result.outcome == "ok"
    assert result.profile["flops"] == counted
    # The figure the evaluation reports is the one its request carried.
    harness.reference_flops[content_hash(LINEAR.read_text())] = 3 * counted
    again = await harness.evaluate(
        str(LINEAR), (CHEATS / "ok_linear.py").read_text(), "cpu", use_cache=False
    )
    assert again.profile["flops"] == 3 * counted
