"""scripts/flywheel.py: one invocation, several pairs across regimes, and a verdict
per pair by issue 22's criteria (the GPU run itself is the lead's; here its
arguments, pair files and report)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "flywheel.py"


@pytest.fixture(scope="module")
def flywheel():
    spec = importlib.util.spec_from_file_location("flywheel", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_issues_negative_transfer_fails(flywheel):
    """Issue 22's log-softmax pair: cold 1.30 at once, warm 1.09 then 1.14."""
    verdict = flywheel.judge([1.30, 1.30, 1.32, 1.32], [1.09, 1.14, 1.14, 1.14])
    assert verdict["passes"] is False
    assert verdict["max_shortfall_pct"] == pytest.approx(16.15, abs=0.01)
    assert "behind cold at evaluation 1" in verdict["why"]


def test_a_warm_start_that_is_never_behind_and_four_times_faster_passes(flywheel):
    cold = [1.13, 1.14, 1.14, 1.31, 1.31, 1.67, 1.67, 1.67]
    verdict = flywheel.judge(cold, [1.66] * 8)
    assert verdict["passes"] is True
    assert (verdict["cold_evals_to_95pct"], verdict["warm_evals_to_95pct"]) == (6, 1)
    # 95% at evaluation 2 of the cold search's 6 is more than a quarter
    slow = flywheel.judge(cold, [1.13, 1.66, 1.66, 1.66, 1.66, 1.66, 1.66, 1.66])
    assert slow["passes"] is False and "more than 25%" in slow["why"]


def test_a_quick_cold_search_asks_only_that_warm_is_not_behind(flywheel):
    verdict = flywheel.judge([1.30, 1.30, 1.32], [1.30, 1.31, 1.31])
    assert verdict["passes"] is True and "no ratio to meet" in verdict["why"]
    assert flywheel.judge([0.0, 0.0], [0.0, 0.0])["passes"] is None  # CPU: no timing


def test_one_invocation_runs_the_pairs_across_regimes(flywheel, tmp_path):
    args = flywheel.parse([str(tmp_path)])
    assert (args.budget, args.time_limit, args.pairs) == (8, 90.0, None)
    pairs = flywheel.pair_files(list(flywheel.DEFAULT_PAIRS), tmp_path / "small")
    assert set(pairs) == {"log_softmax", "softmax_rows", "rms_norm", "row_sum", "linear_gelu"}
    # --shrink searches the problems' `# test:` sizes
    small_b = Path(pairs["log_softmax"][1]).read_text()
    assert "VOCAB = 700" in small_b and "TOKENS = 5" in small_b

    results = {
        "log_softmax": {**flywheel.judge([1.3, 1.3], [1.3, 1.31]), "problems": []},
        "rms_norm": {"problems": [], "error": "RuntimeError: boom"},
    }
    lines = flywheel.table(results).splitlines()
    assert lines[0].split()[:3] == ["pair", "cold", "best"]
    assert lines[1].startswith("log_softmax") and "pass" in lines[1]
    assert "error: RuntimeError: boom" in lines[2]
