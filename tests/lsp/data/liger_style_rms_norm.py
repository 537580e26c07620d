"""RMS norm in Triton, written the way Liger-Kernel writes its kernels: a casting-mode
table at module level, a conditional import, and a launcher taking a scalar eps."""

import operator

import torch
import triton
import triton.language as tl

try:  # newer Triton moved libdevice
    from triton.language.extra.libdevice import rsqrt as _libdevice_rsqrt  # noqa: F401
except ImportError:
    _libdevice_rsqrt = None

_CASTING_MODE_NONE: tl.constexpr = tl.constexpr(-1)
_CASTING_MODE_LLAMA: tl.constexpr = tl.constexpr(0)
_str_to_casting_mode = {"none": _CASTING_MODE_NONE.value, "llama": _CASTING_MODE_LLAMA.value}


def calculate_settings(n):
    MAX_FUSED_SIZE = 65536
    BLOCK_SIZE = triton.next_power_of_2(n)
    if BLOCK_SIZE > MAX_FUSED_SIZE:
        raise RuntimeError(f"Cannot launch Triton kernel since n = {n} exceeds the maximum")
    num_warps = 4
    if BLOCK_SIZE >= 8192:
        num_warps = 16
    elif BLOCK_SIZE >= 2048:
        num_warps = 8
    return BLOCK_SIZE, num_warps


@triton.jit
def _rms_norm_forward_kernel(
    Y_ptr,
    Y_row_stride,
    X_ptr,
    X_row_stride,
    W_ptr,
    n_cols,
    eps,
    offset,
    casting_mode: tl.constexpr,
    BLOCK_SIZE: tl.constexpr,
):
    row_idx = tl.program_id(0)
    col_offsets = tl.arange(0, BLOCK_SIZE)
    mask = col_offsets < n_cols
    X_row = tl.load(X_ptr + row_idx * X_row_stride + col_offsets, mask=mask, other=0)
    W_row = tl.load(W_ptr + col_offsets, mask=mask, other=0)
    if casting_mode == _CASTING_MODE_LLAMA:
        X_row = X_row.to(tl.float32)
    mean_square = tl.sum(X_row * X_row, axis=0) / n_cols
    rstd = 1.0 / tl.sqrt(mean_square + eps)
    Y_row = X_row * rstd * (offset + W_row)
    tl.store(Y_ptr + row_idx * Y_row_stride + col_offsets, Y_row, mask=mask)


def rms_norm_forward(X, W, eps: float, casting_mode="llama", offset=0.0):
    shape = X.shape
    X = X.view(-1, shape[-1])
    n_rows, n_cols = X.shape
    BLOCK_SIZE, num_warps = calculate_settings(n_cols)
    Y = torch.empty((n_rows, n_cols), dtype=X.dtype, device=X.device)
    mode = _str_to_casting_mode[casting_mode]
    _rms_norm_forward_kernel[(n_rows,)](
        Y,
        Y.stride(0),
        X,
        X.stride(0),
        W,
        n_cols,
        eps,
        offset,
        casting_mode=mode,
        BLOCK_SIZE=BLOCK_SIZE,
        num_warps=num_warps,
    )
    return Y.view(*shape)


def reference(X, W, eps):
    rstd = torch.rsqrt(X.float().pow(2).mean(-1, keepdim=True) + eps)
    return X * rstd * W


if __name__ == "__main__":
    x, w = torch.randn(4, 2048), torch.randn(2048)
    print(operator.eq(rms_norm_forward(x, w, 1e-6).shape, x.shape))
