"""Why the generator may emit `input_precision="tf32x3"` for fp32 problems, and "tf32"
only where the reference itself computes in TF32 (a cuDNN convolution).

The Triton interpreter computes every tl.dot in plain fp32 whatever its
input_precision, so the CPU cannot run the tensor-core path. These tests
emulate it: round each fp32 operand to TF32 (10 explicit mantissa bits,
round to nearest even, as cuBLAS and cuDNN round before their tensor-core
products and the generated kernels round their tiles), form 3xTF32 as
hi·hi + hi·lo + lo·hi, and hand the results to the harness's own fp32
criterion against PyTorch's fp32 matmul, as a GPU verification would.
"""

from __future__ import annotations

import inspect
from collections import Counter

import pytest
import torch
from kernelwright.harness import guards, verify
from kernelwright.harness.precision import tf32_reference
from kernelwright.harness.static_checks import find_cheats


def to_tf32(x: torch.Tensor) -> torch.Tensor:
    bits = x.contiguous().view(torch.int32)
    lsb = (bits >> 13) & 1
    return ((bits + 0xFFF + lsb) & ~0x1FFF).view(torch.float32)


def tf32x3_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    a_hi, b_hi = to_tf32(a), to_tf32(b)
    a_lo, b_lo = to_tf32(a - a_hi), to_tf32(b - b_hi)
    return a_hi @ b_hi + (a_hi @ b_lo + a_lo @ b_hi)


@pytest.fixture(scope="module")
def operands():
    generator = torch.Generator().manual_seed(0)
    # K = 4096 as the bench's fp32 matmul; M and N small to keep the CPU quick
    return torch.randn(96, 4096, generator=generator), torch.randn(4096, 80, generator=generator)


def test_3xtf32_passes_the_fp32_criterion_strictly(operands):
    a, b = operands
    reference = a @ b
    stats = verify.compare_outputs(tf32x3_matmul(a, b), reference)
    assert stats.criterion == "allclose"
    # and its error against float64 is of fp32's own size
    exact = a.double() @ b.double()
    ours = (tf32x3_matmul(a, b).double() - exact).abs().max().item()
    pytorch = (reference.double() - exact).abs().max().item()
    assert ours < 3 * pytorch


def test_plain_tf32_is_wrong_under_the_same_criterion(operands):
    a, b = operands
    with pytest.raises(verify.Mismatch):
        verify.compare_outputs(to_tf32(a) @ to_tf32(b), a @ b)


@pytest.mark.parametrize(
    "argument, rejected",
    [
        ('input_precision="tf32x3"', False),
        ('input_precision="ieee"', False),
        ('input_precision="tf32"', True),
        ("", True),
    ],
)
def test_the_static_check_admits_3xtf32_and_rejects_tf32(argument, rejected):
    comma = ", " if argument else ""
    source = (
        "import triton\nimport triton.language as tl\n"
        "@triton.jit\ndef k(a, b):\n"
        f"    acc = tl.dot(a, b{comma}{argument})\n"
    )
    rules = {f.rule for f in find_cheats(source, True)}
    assert ("precision-downcast" in rules) is rejected


def test_plain_tf32_is_left_to_the_reference_to_decide():
    source = (
        "import triton\nimport triton.language as tl\n"
        "@triton.jit\ndef k(a, b):\n"
        '    acc = tl.dot(a, b, input_precision="tf32")\n'
        "    x = a.to(tl.float16)\n"
    )
    findings = find_cheats(source, True)
    by_line = {f.line: f.unless_reference_tf32 for f in findings}
    assert by_line == {5: True, 6: False}  # the fp16 cast is a downcast whatever the reference


@pytest.mark.parametrize(
    "ops, allowed",
    [
        ({"torch.nn.functional.conv2d": 1, "convolution": 1}, True),
        ({"torch.conv_transpose3d": 1, "convolution": 1, "relu": 1}, True),
        # PyTorch's matmul default is exact fp32: a conv -> linear chain keeps it
        ({"torch.nn.functional.conv2d": 1, "convolution": 1, "matmul": 1, "add": 1}, False),
        ({"matmul": 1}, False),
        ({"relu": 1}, False),
    ],
)
def test_tf32_is_the_references_own_only_with_convolutions_alone(ops, allowed):
    assert torch.backends.cudnn.allow_tf32 and not torch.backends.cuda.matmul.allow_tf32
    assert guards.tf32_throughout(Counter(ops)) is allowed
    assert tf32_reference(torch.device("cuda"), True, Counter(ops)) is allowed
    # never on the CPU, where the reference is plain fp32, nor for a half problem
    assert not tf32_reference(torch.device("cpu"), True, Counter(ops))
    assert not tf32_reference(torch.device("cuda"), False, Counter(ops))


def _conv_operands():
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(2, 32, 20, 20, generator=generator)
    w = torch.randn(48, 32, 3, 3, generator=generator) * 0.1
    return x, w


def _implicit_gemm(x: torch.Tensor, w: torch.Tensor, cast) -> torch.Tensor:
    """The Triton template's order of work: [positions, C*k*k] @ [C*k*k, out channels]."""
    cols = torch.nn.functional.unfold(cast(x), 3, padding=1).transpose(1, 2)
    out = cols @ cast(w).reshape(w.shape[0], -1).t()
    return out.transpose(1, 2).reshape(x.shape[0], w.shape[0], x.shape[2], x.shape[3])


def test_a_tf32_convolution_passes_the_bound_set_by_the_references_own_tf32():
    x, w = _conv_operands()
    exact = torch.nn.functional.conv2d(x.double(), w.double(), padding=1)
    # cuDNN's TF32 convolution, emulated: operands rounded, products summed in fp32
    reference = torch.nn.functional.conv2d(to_tf32(x), to_tf32(w), padding=1)
    candidate = _implicit_gemm(x, w, to_tf32)
    stats = verify.compare_outputs(candidate, reference, exact)
    assert stats.criterion == "float64-bounded"
    # the same kernel in bf16 (7 mantissa bits) is below the reference's precision
    bf16 = _implicit_gemm(x, w, lambda t: t.bfloat16().float())
    with pytest.raises(verify.Mismatch, match="exceeds"):
        verify.compare_outputs(bf16, reference, exact)


def to_tf32_truncated(x: torch.Tensor) -> torch.Tensor:
    """What a tensor core takes from an fp32 register: its top 19 bits."""
    return (x.contiguous().view(torch.int32) & ~0x1FFF).view(torch.float32)


def test_truncated_tf32_operands_miss_the_bound_that_rounded_ones_meet():
    """Why the generator rounds its tiles before a plain-TF32 tl.dot: on an H200 a
    Triton TF32 convolution without it was `wrong`, 2.6x cuDNN's TF32 error
    (benchmarks/results/h200-2026-12-03-conv-tf32)."""
    generator = torch.Generator().manual_seed(2)
    x = torch.randn(2, 64, 24, 24, generator=generator)
    w = torch.randn(32, 64, 3, 3, generator=generator) * 0.05
    exact = torch.nn.functional.conv2d(x.double(), w.double(), padding=1)
    reference = torch.nn.functional.conv2d(to_tf32(x), to_tf32(w), padding=1)
    with pytest.raises(verify.Mismatch, match="exceeds"):
        verify.compare_outputs(_implicit_gemm(x, w, to_tf32_truncated), reference, exact)
    stats = verify.compare_outputs(_implicit_gemm(x, w, to_tf32), reference, exact)
    assert stats.criterion == "float64-bounded"


_RUN_RENDERED = """
import importlib.util, sys, torch
spec = importlib.util.spec_from_file_location("cand", sys.argv[1])
cand = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cand)
torch.manual_seed(0)
model = cand.ModelNew(8, 24)
x = torch.randn(2, 8, 13, 11) * 3.7
ours = model(x)
w = model.conv2d.weight.detach()
emulated = torch.nn.functional.conv2d(to_tf32(x), to_tf32(w), padding=(1, 2))
print((ours - emulated).abs().max().item(), (ours - torch.nn.functional.conv2d(x, w, padding=(1, 2))).abs().max().item())
"""


def test_the_rendered_tf32_convolution_rounds_its_tiles_as_cudnn_does(tmp_path):
    """The interpreter computes tl.dot in fp32, so what reaches it is what the kernel
    chose: tiles rounded to TF32 give cuDNN's TF32 result to fp32 summation error,
    and differ from the exact-fp32 convolution by TF32's own error."""
    from kernelwright.agent.generator import default_config, plan, render

    from tests.cpu.test_generator_configs import _BARE_CONV
    from tests.helpers_problems import graphs_for, run_under_interpreter

    problem = tmp_path / "bare_conv.py"
    problem.write_text(_BARE_CONV)
    [graph] = graphs_for([problem])
    found = plan(graph)
    config = default_config(found, {"kind": "cuda", "sm_count": 132, "tf32_products": True})
    source = render(found, config)
    assert "_round_to_tf32(a)" in source and "_round_to_tf32(b_tile)" in source
    candidate = tmp_path / "candidate.py"
    candidate.write_text(source)
    script = tmp_path / "run.py"
    script.write_text(
        "import torch\n"
        + inspect.getsource(to_tf32)
        + _RUN_RENDERED.replace("sys.argv[1]", repr(str(candidate)))
    )
    run = run_under_interpreter(script)
    assert run.returncode == 0, run.stderr[-2000:]
    to_cudnn_tf32, to_fp32 = map(float, run.stdout.split())
    assert to_cudnn_tf32 < 1e-4 < to_fp32, run.stdout
