"""The implicit-GEMM Triton convolution against PyTorch: 1-D, 2-D and 3-D, stride,
padding, dilation, groups (depthwise too), transposed (output_padding too), with and
without a fused epilogue.
Problems written as a user would; candidates rendered with Triton-convolution
configs from the family's space and verified by the harness at odd sizes."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import config_space, default_config, plan, render

from tests.helpers_problems import capture_many, failures, verify_many, written_problems

_PROBLEM = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = {conv}

    def forward(self, x):
        return {expression}


def get_inputs():
    return [torch.randn{shape} * 2 - 0.5]


def get_init_inputs():
    return []
"""

CASES = {
    "conv3d_stride_pad_bias_relu": (
        "nn.Conv3d(3, 5, 3, stride=2, padding=1)",
        "torch.relu(self.conv(x))",
        "(2, 3, 7, 9, 5)",
    ),
    "conv2d_groups_dilation": (
        "nn.Conv2d(6, 9, (3, 2), padding=(2, 1), dilation=2, groups=3, bias=False)",
        "self.conv(x)",
        "(2, 6, 11, 9)",
    ),
    "conv2d_depthwise_scale": (
        "nn.Conv2d(5, 5, 3, padding=1, groups=5)",
        "self.conv(x) * 0.5",
        "(3, 5, 9, 7)",
    ),
    "conv_transpose2d_stride_pad_outpad": (
        "nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)",
        "torch.tanh(self.conv(x))",
        "(2, 4, 5, 7)",
    ),
    "conv_transpose3d_groups_dilation": (
        "nn.ConvTranspose3d(4, 6, (2, 3, 3), stride=(1, 2, 2), "
        "padding=(0, 1, 2), dilation=(1, 2, 1), groups=2, "
        "bias=False)",
        "self.conv(x)",
        "(2, 4, 3, 5, 4)",
    ),
    "conv_transpose1d_bare": ("nn.ConvTranspose1d(3, 5, 4, stride=3)", "self.conv(x)", "(2, 3, 9)"),
    "conv1d_long_kernel": (
        "nn.Conv1d(4, 7, 5, stride=3, bias=False)",
        "self.conv(x)",
        "(2, 4, 31)",
    ),
    # One input channel per group: the direct kernel ("impl": "direct").
    "depthwise2d_bare_stride_dilation": (
        "nn.Conv2d(6, 6, (3, 5), stride=(2, 1), padding=(1, 3), dilation=(1, 2), groups=6, "
        "bias=False)",
        "self.conv(x)",
        "(2, 6, 13, 17)",
    ),
    "depthwise2d_multiplier_bare": (
        "nn.Conv2d(3, 6, 3, padding=1, groups=3, bias=False)",
        "self.conv(x)",
        "(2, 3, 9, 11)",
    ),
    "depthwise1d_bias_gelu": (
        "nn.Conv1d(5, 5, 7, padding=3, groups=5)",
        "F.gelu(self.conv(x))",
        "(3, 5, 29)",
    ),
    "depthwise2d_fp16_bare": (
        "nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False).half()",
        "self.conv(x)",
        "(2, 4, 9, 11, dtype=torch.float16)",
    ),
    "depthwise3d_bare": (
        "nn.Conv3d(4, 4, 3, stride=2, padding=1, groups=4, bias=False)",
        "self.conv(x)",
        "(2, 4, 5, 9, 7)",
    ),
}


@pytest.mark.slow
def test_triton_convolutions_verify(tmp_path):
    fields = {
        name: {"conv": c, "expression": e, "shape": shape} for name, (c, e, shape) in CASES.items()
    }
    paths = written_problems(tmp_path, _PROBLEM, fields)
    cases = []
    for path, graph in zip(paths, capture_many(paths), strict=True):
        found = plan(graph)
        assert found is not None and found.family == "conv", path.name
        space = config_space(found)
        tiles = [c for c in space if c.get("impl") == "triton"]
        direct = [c for c in space if c.get("impl") == "direct"]
        depthwise = "depthwise" in path.stem
        assert bool(direct) == depthwise, path.name
        default = default_config(found, {"kind": "cpu"})
        for config in {
            **{str(tiles[0]): tiles[0], str(tiles[-1]): tiles[-1]},
            **{str(c): c for c in direct[:1] + direct[-1:]},
            str(default): default,
        }.values():
            source = render(found, config)
            cases.append((path, source))
        if found.epilogue:  # cuDNN + fused epilogue stays the default where there is a chain
            assert "impl" not in default
        else:  # a bare convolution: only Triton kernels are candidates
            assert default["impl"] == ("direct" if depthwise else "triton"), path.name
        assert all(c.get("impl") for c in space) == (not found.epilogue), path.name
    assert failures(cases, verify_many(cases)) == []
