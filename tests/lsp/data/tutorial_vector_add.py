"""Triton tutorial-style vector add: DEVICE, a dtype dict, autotune configs built by a
function and a conditional import at module level, a __main__ block."""

import torch

import triton
import triton.language as tl

try:
    from triton.language.extra import libdevice  # noqa: F401
except ImportError:
    libdevice = None

DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")
_DTYPES = {torch.float32: tl.float32, torch.float16: tl.float16}
BLOCK_DEFAULT = max(256, 2 ** 10)


def _configs():
    return [triton.Config({"BLOCK_SIZE": BLOCK_DEFAULT}, num_warps=4)]


CONFIGS = _configs()


@triton.autotune(configs=CONFIGS, key=["n_elements"])
@triton.jit
def add_kernel(x_ptr, y_ptr, output_ptr, n_elements, BLOCK_SIZE: tl.constexpr):
    pid = tl.program_id(axis=0)
    block_start = pid * BLOCK_SIZE
    offsets = block_start + tl.arange(0, BLOCK_SIZE)
    mask = offsets < n_elements
    x = tl.load(x_ptr + offsets, mask=mask)
    y = tl.load(y_ptr + offsets, mask=mask)
    tl.store(output_ptr + offsets, x + y, mask=mask)


# kernelwright: x: float32[98432], y: float32[98432]
def add(x: torch.Tensor, y: torch.Tensor):
    output = torch.empty_like(x)
    assert x.device == DEVICE and y.device == DEVICE and output.device == DEVICE
    assert x.dtype in _DTYPES
    n_elements = output.numel()
    grid = lambda meta: (triton.cdiv(n_elements, meta["BLOCK_SIZE"]),)
    add_kernel[grid](x, y, output, n_elements)
    return output


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.rand(98432, device=DEVICE)
    print(add(x, x))
