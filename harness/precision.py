"""Which precision rules apply to an evaluation: fp32 problems, TF32 references.

The verdict pipeline (harness/pipeline.py) and the job handlers (harness/jobs.py)
decide with these what a candidate may compute in and what it is compared against.
"""

from __future__ import annotations

import torch
from kernelwright.harness import guards


def needs_float64_reference(device: torch.device, fp32: bool, reference_ops) -> bool:
    """TF32 convolutions: PyTorch's own default computes the reference in lower precision,
    so every trial compares against a float64 reference too."""
    return (
        device.type == "cuda"
        and fp32
        and torch.backends.cudnn.allow_tf32
        and any("conv" in op for op in reference_ops)
    )


def tf32_reference(device: torch.device, fp32: bool, reference_ops) -> bool:
    """Whether a candidate may compute its products in plain TF32: the reference does
    too (a TF32 convolution, and any matmul also in TF32), and every trial bounds the
    candidate's error by the reference's own against float64 (verify.TF32_ERROR_FACTOR)."""
    return needs_float64_reference(device, fp32, reference_ops) and guards.tf32_throughout(
        reference_ops
    )


def float_dtypes(reference: torch.nn.Module, inputs: list) -> set:
    tensors = [x for x in inputs if isinstance(x, torch.Tensor)]
    tensors += list(reference.parameters()) + list(reference.buffers())
    return {t.dtype for t in tensors if t.is_floating_point()}


def fp32_only(dtypes: set) -> bool:
    """float32 data and no half-precision data: the fp32 checks and tolerances apply."""
    return torch.float32 in dtypes and not dtypes & {torch.float16, torch.bfloat16}
