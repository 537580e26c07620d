"""Pooling kernels against PyTorch's every option: padding, dilation, ceil_mode,
count_include_pad, divisor_override, 1-D/2-D/3-D and adaptive sizes that do not
divide. Each problem is written as a user would, planned by the embedded
generator and verified by the harness at odd sizes."""

from __future__ import annotations

import pytest

from tests.helpers_problems import (
    capture_many,
    failures,
    first_proposal,
    verify_many,
    written_problems,
)

CASES = {
    "max2d_pad_dilation_ceil": (
        "F.max_pool2d(x, 3, stride=2, padding=1, dilation=2, ceil_mode=True)",
        "(2, 3, 13, 11)",
    ),
    "avg2d_ceil_exclude_pad": (
        "F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
        "(2, 3, 13, 11)",
    ),
    "avg2d_include_pad_ceil": (
        "F.avg_pool2d(x, (3, 2), stride=(2, 3), padding=(1, 1), ceil_mode=True)",
        "(2, 3, 13, 11)",
    ),
    "avg2d_divisor_override": ("F.avg_pool2d(x, 2, divisor_override=3)", "(2, 3, 9, 7)"),
    "max1d_default_stride": ("F.max_pool1d(x, 4)", "(3, 5, 23)"),
    "avg3d_asymmetric": (
        "F.avg_pool3d(x, (2, 3, 1), stride=(1, 2, 1), padding=(1, 0, 0))",
        "(2, 3, 5, 7, 6)",
    ),
    "adaptive_avg2d_not_dividing": ("F.adaptive_avg_pool2d(x, (5, 3))", "(2, 3, 13, 11)"),
    "adaptive_avg1d_to_one": ("F.adaptive_avg_pool1d(x, 1) * 2.0", "(3, 5, 37)"),
    "relu_then_maxpool_negative_inputs": ("F.max_pool2d(torch.relu(x) - 1.0, 2)", "(2, 3, 9, 7)"),
    # Windows of 64+ positions take the [outputs, window] tile layout.
    "global_avg2d_window_tile": ("F.adaptive_avg_pool2d(x, 1)", "(2, 3, 13, 11)"),
    "global_max2d_kernel_is_plane_tile": ("F.max_pool2d(x, (13, 11)) * 3.0", "(2, 3, 13, 11)"),
    "global_avg1d_relu_tile": ("F.avg_pool1d(torch.relu(x), 97)", "(3, 5, 97)"),
    "max2d_large_window_tile": (
        "F.max_pool2d(x, (9, 8), stride=(4, 3), padding=(2, 3), dilation=(1, 2))",
        "(2, 3, 29, 31)",
    ),
    "avg2d_large_window_exclude_pad_tile": (
        "F.avg_pool2d(torch.relu(x), (9, 8), stride=5, padding=4, ceil_mode=True, "
        "count_include_pad=False)",
        "(2, 3, 29, 31)",
    ),
    # Half precision: fp32 accumulation, stored back in the input's dtype.
    "global_avg2d_fp16_tile": (
        "F.adaptive_avg_pool2d(x, 1)",
        "(2, 3, 13, 11, dtype=torch.float16)",
    ),
    "max2d_large_window_bf16_tile": (
        "F.max_pool2d(x, 9, stride=4, padding=4)",
        "(2, 3, 29, 31, dtype=torch.bfloat16)",
    ),
    "avg2d_small_window_fp16": (
        "F.avg_pool2d(x, 3, stride=2)",
        "(2, 3, 13, 11, dtype=torch.float16)",
    ),
    "adaptive_avg3d_uneven_tile": (
        "F.adaptive_avg_pool3d(x * 2.0, (1, 2, 1)) - 1.0",
        "(2, 3, 5, 9, 8)",
    ),
}
TILED = {name for name in CASES if name.endswith("_tile")}

_PROBLEM = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def forward(self, x):
        return {expression}


def get_inputs():
    return [torch.randn{shape} * 3 - 1]


def get_init_inputs():
    return []
"""


@pytest.mark.slow
def test_every_pooling_option_verifies(tmp_path):
    fields = {name: {"expression": e, "shape": shape} for name, (e, shape) in CASES.items()}
    paths = written_problems(tmp_path, _PROBLEM, fields)
    cases = []
    for path, graph in zip(paths, capture_many(paths), strict=True):
        proposal = first_proposal(path, graph)
        assert "pool_kernel" in proposal.source, (path.name, proposal.meta)
        assert ("WINDOW=" in proposal.source) == (path.stem in TILED), path.name
        whole_plane = "offs = base[:, None] + j[None, :]" in proposal.source
        assert whole_plane == path.stem.startswith("global_"), path.name
        cases.append((path, proposal.source))
    assert failures(cases, verify_many(cases)) == []
