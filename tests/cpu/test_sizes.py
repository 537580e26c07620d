"""Problem files at test sizes: KernelBench's own lower-case constants shrink when hinted."""

from __future__ import annotations

from kernelwright.agent.sizes import shrink_source

KERNELBENCH_STYLE = """
batch_size = 4096  # test: 3
dim = 393216  # test: 37
reduce_dim = 1
num_classes = 1000
BATCH = 128
"""


def test_hinted_lower_case_sizes_shrink_and_unhinted_ones_are_left_alone():
    small = shrink_source(KERNELBENCH_STYLE)
    assert "batch_size = 3" in small and "dim = 37" in small
    assert "reduce_dim = 1" in small and "num_classes = 1000" in small
    assert "BATCH = 9" in small  # an upper-case size: small, odd, not a power of two


def test_every_large_benchmark_problem_has_test_sizes():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "benchmarks" / "large"
    for path in sorted(folder.glob("*.py")):
        namespace: dict = {}
        exec(compile(shrink_source(path.read_text()), str(path), "exec"), namespace)
        inputs = namespace["get_inputs"]()
        assert sum(x.numel() for x in inputs) < 10_000, path.name
