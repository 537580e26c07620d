"""Device facts and the tuning heuristics several families share.

Family-specific heuristics live with their family (templates/<family>.py);
what is here serves more than one: tile sizes for row-wise kernels, how far
to split a reduction over the SMs, the fp32 dot precisions, and whether a
tile's pipeline fits the device's shared memory. Each comment says where the
numbers come from. Imports nothing from the generator: templates and the
config search both build on it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass


def next_pow2(n: int) -> int:
    return 1 << max(0, (int(n) - 1).bit_length())


def grid(**axes) -> list[dict]:
    """Every combination of the axes' values, as configs, in a deterministic order."""
    keys = list(axes)
    return [dict(zip(keys, values)) for values in itertools.product(*(axes[k] for k in keys))]


def nearest(value, options):
    """The option closest to `value` on a log scale (the smaller one on ties)."""
    return min(sorted(set(options)), key=lambda o: (abs(math.log2(o) - math.log2(value)), o))


# --- device facts -------------------------------------------------------------


@dataclass(frozen=True)
class DeviceFacts:
    sm_count: int
    shared_memory_per_block: int  # bytes one block may use (the opt-in maximum)
    l2_bytes: int


# What an H100 or H200 reports: 132 SMs, 227 KiB of shared memory per block (of
# the SM's 228 KiB), 50 MiB of L2. Used only where the device dict does not say:
# CPU runs under the Triton interpreter, and peaks recorded before
# harness/peaks.py measured these.
FALLBACK_FACTS = DeviceFacts(sm_count=132, shared_memory_per_block=227 * 1024, l2_bytes=50 << 20)


def device_facts(device: dict | None) -> DeviceFacts:
    """The facts of the search's device dict (agent/search.py copies them from
    harness/peaks.py, which reads torch.cuda.get_device_properties)."""
    device = device or {}
    return DeviceFacts(
        sm_count=int(device.get("sm_count") or FALLBACK_FACTS.sm_count),
        shared_memory_per_block=int(
            device.get("shared_memory_per_block") or FALLBACK_FACTS.shared_memory_per_block
        ),
        l2_bytes=int(device.get("l2_bytes") or FALLBACK_FACTS.l2_bytes),
    )


# --- shared memory ------------------------------------------------------------
# A tile whose pipeline buffers pass the per-block limit fails to compile: fp32
# 128x256x64 with 3 stages needs 288 KB, and on an H200 (227 KB per block) it came
# back `compile_error` in a probe and in a flywheel search.


def element_bytes(dtype: str) -> int:
    return 4 if dtype == "float32" else 2


def fits_shared_memory(
    bm: int, bn: int, bk: int, stages: int, dtype: str, facts: DeviceFacts
) -> bool:
    """A matmul-shaped tile: an A and a B tile per pipeline stage."""
    return stages * (bm * bk + bk * bn) * element_bytes(dtype) <= facts.shared_memory_per_block


def attention_fits_shared_memory(
    bm: int, bn: int, stages: int, head_dim: int, value_dim: int, dtype: str, facts: DeviceFacts
) -> bool:
    """K and V tiles for every pipeline stage plus two Q-sized buffers: on an H200,
    Triton 3.6 asked exactly this of fp32 heads of 128 (128x64 with 2 stages 262144
    bytes, with 3 stages 327680; 64x64 with 3 stages 262144) and refused them
    (benchmarks/results/h200-2026-12-01-probe-softmax-attention-kl); 64x64 and 128x32 with 2 stages ran."""
    d, dv = (max(16, next_pow2(x)) for x in (head_dim, value_dim))
    needed = (stages * bn * (d + dv) + 2 * bm * d) * element_bytes(dtype)
    return needed <= facts.shared_memory_per_block


# --- dot precision ------------------------------------------------------------


def fp32_precisions(plan, device: dict | None = None) -> list[dict]:
    """tl.dot's input precision, a search axis for fp32 problems only (first: the default).

    3xTF32 first: IEEE tiles ran on the CUDA cores at 0.85× cuBLAS's SGEMM and
    0.23–0.41× PyTorch's fp32 attention on an H200 (benchmarks/results/h200-2026-12-01-bench);
    three TF32 tensor-core products keep fp32's accuracy at this tolerance
    (templates.common.dot_precision). The harness verifies every candidate
    either way, so a shape where 3xTF32 misses the tolerance gets `wrong`.

    Plain TF32 first where the reference itself computes in TF32 (the device
    dict's `tf32_products`: a cuDNN convolution under PyTorch's defaults), as
    DESIGN.md allows: the same precision as the reference, a third of 3xTF32's
    tensor-core work, its error bounded by the reference's own against float64.
    """
    if plan.dtype != "float32":
        return [{}]
    own = [{"PRECISION": "tf32"}] if (device or {}).get("tf32_products") else []
    return own + [{"PRECISION": "tf32x3"}, {"PRECISION": "ieee"}]


# --- blocks and warps -----------------------------------------------------------


def warps_for_block(block: int) -> int:
    """Triton tutorial 02-fused-softmax: 4 warps, 8 from 2048 elements, 16 from 4096."""
    return 16 if block >= 4096 * 4 else 8 if block >= 2048 else 4


def pointwise_block(numel: int) -> int:
    """attorch's BLOCK_SIZE for elementwise kernels: 1024, smaller for tiny tensors."""
    return max(128, min(1024, next_pow2(numel)))


# --- rows: the [outer, R, inner] view of reductions, scans, softmax and norms ---


def reduction_tiles(r: int, inner: int) -> tuple[int, int]:
    """(BLOCK_R, BLOCK_INNER): attorch's reduction kernels tile 2-D as [rows, cols];
    with inner > 1 the columns are contiguous, so a wide BLOCK_INNER coalesces."""
    if inner == 1:
        return min(next_pow2(r), 2048), 1
    # A few reduced rows (RGB channels: R = 3) leave a [16, 64] tile 13/16 masked
    # and a grid of 64-column programs: RGB-to-gray ran at 0.51x eager on an H200
    # (benchmarks/results/h200-2026-12-02-corpus-families-bench). Such tiles
    # take the columns instead, up to the same 4096 elements.
    block_inner = min(next_pow2(inner), 1024, max(64, 4096 // max(2, next_pow2(r))))
    return min(max(2, next_pow2(r)), max(1, 4096 // block_inner)), block_inner


def inner_tiles(inner: int, r: int) -> list[int]:
    """BLOCK_INNER choices: one column when nothing follows the reduced dims,
    and wider tiles where there are few rows (reduction_tiles)."""
    if inner == 1:
        return [1]
    return [16, 32, 64, 128] + ([256, 512, 1024] if r <= 16 else [])


def row_tiles(r: int, inner: int, most: int) -> list[dict]:
    """[BLOCK_R, BLOCK_INNER] tiles of at most `most` elements, with 4 or 8 warps."""
    blocks = [b for b in (16, 64, 256, 1024, 2048, 4096) if b <= max(16, next_pow2(r))]
    if r < 16:  # a few rows: a tile of their own height
        blocks.insert(0, max(2, next_pow2(r)))
    return [
        {"BLOCK_R": b, "BLOCK_INNER": bi, "num_warps": w}
        for b in blocks
        for bi in inner_tiles(inner, r)
        for w in (4, 8)
        if b * bi <= most
    ]


def row_tile_default(r: int, inner: int, space: list[dict], warps: int | None = None) -> dict:
    """reduction_tiles' tile, its BLOCK_R the space's nearest; 8 warps from 2048 elements."""
    block_r, block_inner = reduction_tiles(r, inner)
    if warps is None:
        warps = 4 if block_r * block_inner < 2048 else 8
    return {
        "BLOCK_R": nearest(block_r, [c["BLOCK_R"] for c in space]),
        "BLOCK_INNER": block_inner,
        "num_warps": warps,
    }


def row_block_limit(dtype: str) -> int:
    """Rows up to this many elements take one block in registers (tutorial 02 uses the
    whole row): the row-wise families' one-pass limit, and the "row vs block"
    threshold of a skill's regime (knowledge/shape_regime.py). fp32 on an H200, one block with 16 warps (warps_for_block) against
    streaming each row twice (the online kernel, the default past 8192 before):
    32000 classes 1.65x eager at 97% of DRAM bandwidth against 1.13x at 67%;
    16000 classes 1.53x at 99% against 1.08x at 70%; at 65536 one block spilled
    and ran 0.28-0.36x (benchmarks/results/h200-2026-12-01-flywheel-softmax-vocab,
    benchmarks/results/h200-2026-12-01-probe-softmax-attention-kl). 16-bit rows keep attorch's 16K cap:
    not measured past it."""
    return 32768 if dtype == "float32" else 16384


SPLITS = (1, 2, 4, 8, 32, 128, 512, 2048)
# Resident programs per SM that hide DRAM latency: a whole-tensor mean split 512
# ways (4 per SM on an H200) read at 70% of DRAM bandwidth, 128 ways at 41%
# (scripts/gpu_probe.py, 2026-12-01); each program has one tile in flight.
PROGRAMS_PER_SM = 8


# Below this many elements a reduction is one short wave either way: a split
# only adds the combining launch.
SPLIT_MIN_ELEMENTS = 1 << 20


def split_count(
    programs: int, r: int, sm_count: int, block_r: int = 1, block_inner: int = 1
) -> int:
    """Split R across programs when the unsplit grid has fewer `programs` than
    SMs (the split-K idea of Triton's matmul tutorial applied to reductions).

    Aims at PROGRAMS_PER_SM programs per SM in all: a full reduction of 32M
    elements split only 8 ways kept 8 of 132 SMs busy and ran at 0.03× eager
    on an H200 (benchmarks/results/h200-2026-11-22-bench). Programs, not output
    columns: a column mean of a [16384, 4096] tensor in 64-column tiles is 64
    programs, and ran at 0.40× eager unsplit (benchmarks/corpus problem 186,
    benchmarks/results/h200-2026-12-02-corpus-bn-recheck). Each slice keeps at
    least two BLOCK_R tiles of rows.
    """
    if programs >= sm_count or programs * block_inner * r < SPLIT_MIN_ELEMENTS:
        return 1
    wanted = -(-PROGRAMS_PER_SM * sm_count // max(1, programs))
    most = max(1, r // (2 * max(1, block_r)))
    fitting = [s for s in SPLITS if s <= most]
    return min((s for s in fitting if s >= min(wanted, fitting[-1])), default=1)


NORM_SPLITS = (1, 2, 4, 8, 16)
NORM_PROGRAMS_PER_SM = 2  # each program streams its chunk twice: fewer, longer programs


def norm_split(rows: int, r: int, sm_count: int) -> int:
    """Programs per normalised row when rows are fewer than SMs and long: 64
    LayerNorm rows of 262144 elements, one program each, ran at 24% of DRAM
    bandwidth on an H100 (benchmarks/results/h100-2026-11-22-bench)."""
    if rows >= sm_count or r < 8192:
        return 1
    wanted = -(-NORM_PROGRAMS_PER_SM * sm_count // max(1, rows))
    return min((s for s in NORM_SPLITS if s >= wanted), default=NORM_SPLITS[-1])


# Short contiguous rows share a program ([ROWS, BLOCK_R] tiles: the softmax and
# reduction templates).
SHORT_ROW = 1024  # rows up to this many elements can share a program
ROWS_CHOICES = (2, 4, 8, 16, 32, 64)


def rows_per_program(outer: int, one: int, sm_count: int) -> int:
    """About 2048 elements per program, as a 2048-element row gets one program,
    while keeping at least 4 programs per SM."""
    rows = max(1, 2048 // one)
    while rows > 1 and outer / rows < 4 * sm_count:
        rows //= 2
    return min(rows, ROWS_CHOICES[-1])
