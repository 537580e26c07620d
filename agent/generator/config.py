"""Tunable space per family, default choices, and the search moves over them.

Every config is a flat JSON dict. `config_space` enumerates the valid ones
(deterministic order); `default_config` picks one with named heuristics whose
comments cite where they come from; `mutate`/`crossover` move within the space
so the search never proposes a config the templates cannot render.
"""

from __future__ import annotations

import itertools
import math
import random

from .plan import Plan
from .templates.reduction import SPLITTABLE
from .templates.rows import row_view


def next_pow2(n: int) -> int:
    return 1 << max(0, (int(n) - 1).bit_length())


# --- heuristics ---------------------------------------------------------------


def warps_for_block(block: int) -> int:
    """Triton tutorial 02-fused-softmax: 4 warps, 8 from 2048 elements, 16 from 4096."""
    return 16 if block >= 4096 * 4 else 8 if block >= 2048 else 4


def pointwise_block(numel: int) -> int:
    """attorch's BLOCK_SIZE for elementwise kernels: 1024, smaller for tiny tensors."""
    return max(128, min(1024, next_pow2(numel)))


def one_pass_limit(dtype: str) -> int:
    """Rows up to this many elements take one block in registers (tutorial 02 uses the
    whole row). fp32 on an H200, one block with 16 warps (warps_for_block) against
    streaming each row twice (the online kernel, the default past 8192 before):
    32000 classes 1.65x eager at 97% of DRAM bandwidth against 1.13x at 67%;
    16000 classes 1.53x at 99% against 1.08x at 70%; at 65536 one block spilled
    and ran 0.28-0.36x (benchmarks/results/h200-2026-12-01-flywheel-softmax-vocab,
    benchmarks/results/h200-2026-12-01-probe-softmax-attention-kl). 16-bit rows keep attorch's 16K cap:
    not measured past it."""
    return 32768 if dtype == "float32" else 16384


def reduction_tiles(r: int, inner: int) -> tuple[int, int]:
    """(BLOCK_R, BLOCK_INNER): attorch's reduction kernels tile 2-D as [rows, cols];
    with inner > 1 the columns are contiguous, so a wide BLOCK_INNER coalesces."""
    if inner == 1:
        return min(next_pow2(r), 2048), 1
    block_inner = min(next_pow2(inner), 64)
    return min(next_pow2(r), max(1, 4096 // block_inner)), block_inner


SPLITS = (1, 2, 4, 8, 32, 128, 512, 2048)
# Resident programs per SM that hide DRAM latency: a whole-tensor mean split 512
# ways (4 per SM on an H200) read at 70% of DRAM bandwidth, 128 ways at 41%
# (scripts/gpu_probe.py, 2026-12-01); each program has one tile in flight.
PROGRAMS_PER_SM = 8


def split_count(outer_columns: int, r: int, sm_count: int) -> int:
    """Split R across programs when there are fewer output columns than SMs
    (the split-K idea of Triton's matmul tutorial applied to reductions).

    Aims at PROGRAMS_PER_SM programs per SM in all: a full reduction of 32M
    elements split only 8 ways kept 8 of 132 SMs busy and ran at 0.03× eager
    on an H200 (docs/bench-h200-2026-11-22).
    """
    if outer_columns >= sm_count or r < 8192:
        return 1
    wanted = -(-PROGRAMS_PER_SM * sm_count // max(1, outer_columns))
    return min((s for s in SPLITS if s >= min(wanted, SPLITS[-1])), default=SPLITS[-1])


NORM_SPLITS = (1, 2, 4, 8, 16)
NORM_PROGRAMS_PER_SM = 2  # each program streams its chunk twice: fewer, longer programs


def norm_split(rows: int, r: int, sm_count: int) -> int:
    """Programs per normalised row when rows are fewer than SMs and long: 64
    LayerNorm rows of 262144 elements, one program each, ran at 24% of DRAM
    bandwidth on an H100 (docs/bench-h100-2026-11-22)."""
    if rows >= sm_count or r < 8192:
        return 1
    wanted = -(-NORM_PROGRAMS_PER_SM * sm_count // max(1, rows))
    return min((s for s in NORM_SPLITS if s >= wanted), default=NORM_SPLITS[-1])


def matmul_tiles(dtype: str) -> dict:
    """16-bit inputs: 128x256x64 with 8 warps and 3 stages, the first entry of Triton
    tutorial 03's autotune list and tutorial 09's Hopper fp16 tile; 128x128x64 ran
    an 8192x4096x4096 fp16 Linear at 445 TFLOP/s against cuBLAS's 691 on an H200
    (docs/bench-h200-2026-12-01, problem 33). fp32 (3xTF32 dots): 128x64x32 with 4
    warps and 4 stages, the fastest of seven tiles on a 4096³ fp32 matmul on an
    H200 (1.02× cuBLAS SGEMM; 64x64x32 0.67×, 128x128x32 0.39×; 128x256x64 does
    not fit shared memory; docs/probe-h200-2026-12-01)."""
    if dtype == "float32":
        return {"BLOCK_M": 128, "BLOCK_N": 64, "BLOCK_K": 32, "num_warps": 4, "num_stages": 4}
    return {"BLOCK_M": 128, "BLOCK_N": 256, "BLOCK_K": 64, "num_warps": 8, "num_stages": 3}


def triton_matmul_config(plan: Plan) -> dict:
    """The Triton tile kernel's starting point (the fused-epilogue alternative to
    cuBLAS when `prefer_torch_matmul`)."""
    return {"impl": "triton", **matmul_tiles(plan.dtype), "GROUP_M": 8, "PERSISTENT": False,
            **fp32_precisions(plan)[0]}


def prefer_torch_matmul(plan: Plan) -> bool:
    """With an epilogue to fuse, the first candidate keeps cuBLAS's matmul and fuses
    the chain after it; the embedded proposer's next root candidate is the Triton
    tile kernel (`triton_matmul_default`), so a short search measures both.

    cuBLAS first because it is never far off: on an H200 eager fp16 Linear ran at
    691 TFLOP/s (92%) where the 128×128×64 Triton tile reached 445, and a search
    with time for one candidate kept that 0.64× (docs/bench-h200-2026-12-01,
    problem 33). Where Triton wins (3xTF32 fp32 tiles: 1.39× and 1.47× on 25 and
    27, benchmarks/results/h200-2026-12-01-bench-vs-max-autotune), the second candidate finds it."""
    return bool(plan.epilogue)


def cross_entropy_rows(rows: int, classes: int, sm_count: int) -> int:
    """Rows per program: about 4096 logits in flight per program, while keeping at
    least 4 programs per SM. One short row per program (1000 classes: 4 warps
    with 8 values each) left the first launch latency-bound (29% of DRAM
    bandwidth on an H200, docs/bench-h200-2026-12-01, problem 22)."""
    count = max(1, min(16, 4096 // next_pow2(classes)))
    while count > 1 and rows / count < 4 * sm_count:
        count //= 2
    return count


LOSS_TILES = (1, 4, 16, 64)
RESIDENT_PROGRAMS_PER_SM = 16  # 4-warp programs: Hopper holds 64 warps per SM


def loss_tiles(numel: int, block: int, sm_count: int) -> int:
    """BLOCK tiles each elementwise-loss program adds up: few enough programs that
    all are resident at once. One tile per program (32768 programs for 33.5M
    elements) ran the MSE and smooth-L1 losses at 77-78% and KL at 71% of DRAM
    bandwidth on an H200 (docs/bench-h200-2026-12-01, problems 20, 21, 23), and
    left the finishing program 32768 partials to add."""
    wanted = -(-numel // block) / (RESIDENT_PROGRAMS_PER_SM * sm_count)
    return min((t for t in LOSS_TILES if t >= wanted), default=LOSS_TILES[-1])


def fp32_precisions(plan: Plan) -> list[dict]:
    """tl.dot's input precision, a search axis for fp32 problems only (first: the default).

    3xTF32 first: IEEE tiles ran on the CUDA cores at 0.85× cuBLAS's SGEMM and
    0.23–0.41× PyTorch's fp32 attention on an H200 (docs/bench-h200-2026-12-01);
    three TF32 tensor-core products keep fp32's accuracy at this tolerance
    (templates.common.dot_precision). The harness verifies every candidate
    either way, so a shape where 3xTF32 misses the tolerance gets `wrong`.
    """
    if plan.dtype != "float32":
        return [{}]
    return [{"PRECISION": "tf32x3"}, {"PRECISION": "ieee"}]


def attention_tiles(head_dim: int) -> tuple[int, int, int]:
    """(BLOCK_M, BLOCK_N, num_warps). Triton tutorial 06-fused-attention takes 128 x 64
    for head dims ≤ 128 on fp16; with fp32 (3xTF32) q/k/v and head dim 64 on an H200,
    128 x 64 with 8 warps ran 1.45× eager against 1.28× for 64 x 64 with 4
    (docs/probe-h200-2026-12-01, problem 30). Wider heads keep smaller tiles."""
    return (128, 64, 8) if head_dim <= 64 else (32, 32, 4)


# --- spaces -------------------------------------------------------------------


def _grid(**axes) -> list[dict]:
    keys = list(axes)
    return [dict(zip(keys, values)) for values in itertools.product(*(axes[k] for k in keys))]


_MATMUL_TILES = [  # tutorial 03's autotune list (BLOCK_M, BLOCK_N, BLOCK_K, warps, stages)
    (128, 256, 64, 8, 3), (64, 256, 32, 4, 4), (128, 128, 32, 4, 4), (128, 64, 32, 4, 4),
    (64, 128, 32, 4, 4), (128, 32, 32, 4, 4), (64, 32, 32, 2, 5), (32, 64, 32, 2, 5),
    (64, 64, 32, 4, 3), (128, 128, 64, 8, 3),
]


# Hopper's shared memory per block (227 KB of its 228 KB). A tile whose pipeline
# buffers pass it fails to compile: fp32 128x256x64 with 3 stages needs 288 KB,
# and on an H200 it came back `compile_error` in a probe and in a flywheel search.
SHARED_MEMORY_BYTES = 227 * 1024


def _element_bytes(dtype: str) -> int:
    return 4 if dtype == "float32" else 2


def _fits_shared_memory(bm: int, bn: int, bk: int, stages: int, dtype: str) -> bool:
    return stages * (bm * bk + bk * bn) * _element_bytes(dtype) <= SHARED_MEMORY_BYTES


def _attention_fits_shared_memory(bm: int, bn: int, stages: int, head_dim: int,
                                  value_dim: int, dtype: str) -> bool:
    """K and V tiles for every pipeline stage plus two Q-sized buffers: on an H200,
    Triton 3.6 asked exactly this of fp32 heads of 128 (128x64 with 2 stages 262144
    bytes, with 3 stages 327680; 64x64 with 3 stages 262144) and refused them
    (benchmarks/results/h200-2026-12-01-probe-softmax-attention-kl); 64x64 and 128x32 with 2 stages ran."""
    d, dv = (max(16, next_pow2(x)) for x in (head_dim, value_dim))
    return (stages * bn * (d + dv) + 2 * bm * d) * _element_bytes(dtype) <= SHARED_MEMORY_BYTES


def config_space(plan: Plan) -> list[dict]:
    family = plan.family
    if family == "conv":
        return _conv_space(plan)
    if family == "pointwise":
        return _grid(BLOCK=[128, 256, 512, 1024, 2048, 4096], num_warps=[2, 4, 8])
    if family == "pool":  # one output per lane, its window walked in a loop
        return _grid(BLOCK=[64, 128, 256, 512, 1024], num_warps=[2, 4, 8])
    if family in ("reduction", "scan", "softmax", "norm"):
        return _row_space(plan)
    if family == "loss":
        if plan.attr("loss") == "cross_entropy":
            return _grid(BLOCK=[512, 1024, 2048, 4096], num_warps=[4, 8], ROWS=[1, 2, 4, 8, 16])
        return _grid(BLOCK=[512, 1024, 2048, 4096], num_warps=[4, 8], TILES=LOSS_TILES)
    if family == "matmul":
        space = []
        for (bm, bn, bk, warps, stages), group, persistent, precision in itertools.product(
                _MATMUL_TILES, [1, 8], [False, True], fp32_precisions(plan)):
            if not _fits_shared_memory(bm, bn, bk, stages, plan.dtype):
                continue
            space.append({"impl": "triton", "BLOCK_M": bm, "BLOCK_N": bn, "BLOCK_K": bk,
                          "GROUP_M": group, "PERSISTENT": persistent, "num_warps": warps,
                          "num_stages": stages, **precision})
        if plan.epilogue:  # cuBLAS matmul + one fused Triton epilogue kernel
            space += [{"impl": "torch", **c} for c in _grid(BLOCK=[512, 1024, 2048, 4096],
                                                            num_warps=[4, 8])]
        return space
    if family == "attention":
        dims = plan.attr("D"), plan.attr("Dv")
        return [{**c, **precision} for c in _grid(BLOCK_M=[16, 32, 64, 128], BLOCK_N=[16, 32, 64],
                                                  num_warps=[4, 8], num_stages=[1, 2, 3])
                if _attention_fits_shared_memory(c["BLOCK_M"], c["BLOCK_N"], c["num_stages"],
                                                 *dims, plan.dtype)
                for precision in fp32_precisions(plan)]
    raise ValueError(f"unknown family {family}")


def _bare_conv(plan: Plan) -> bool:
    """Nothing after the convolution: cuDNN alone would be the reference itself."""
    return not plan.epilogue


def _conv_space(plan: Plan) -> list[dict]:
    """cuDNN + a fused epilogue pass (BLOCK, num_warps), and implicit-GEMM Triton tiles
    ("impl": "triton"); a bare convolution has only the latter."""
    space = [] if _bare_conv(plan) else _grid(BLOCK=[128, 256, 512, 1024, 2048, 4096],
                                              num_warps=[2, 4, 8])
    for (bm, bn, bk), warps, stages, precision in itertools.product(
            [(32, 16, 32), (64, 16, 32), (64, 32, 32), (64, 64, 32), (128, 64, 32), (128, 128, 32),
             (64, 64, 64), (128, 32, 16)], [4, 8], [2, 3], fp32_precisions(plan)):
        if _fits_shared_memory(bm, bn, bk, stages, plan.dtype):
            space.append({"impl": "triton", "BLOCK_M": bm, "BLOCK_N": bn, "BLOCK_K": bk,
                          "num_warps": warps, "num_stages": stages, **precision})
    return space


def _triton_conv_default(plan: Plan) -> dict:
    """64 positions x up to 64 channels per program: the group's output channels
    decide the N tile (a depthwise conv has one), K in 32s as Triton's matmul tutorial."""
    channels = plan.out_shape[1] // (plan.attr("groups") or 1)  # per group, either kind
    bn = 16 if channels <= 16 else 32 if channels <= 32 else 64
    return {"impl": "triton", "BLOCK_M": 64, "BLOCK_N": bn, "BLOCK_K": 32, "num_warps": 4,
            "num_stages": 2, **fp32_precisions(plan)[0]}


def _row_shape(plan: Plan) -> tuple[int, int, int]:
    if plan.family == "norm":
        return plan.attr("outer"), plan.attr("R"), plan.attr("inner")
    return row_view(plan.in_shape, plan.attr("dims"))


def _row_space(plan: Plan) -> list[dict]:
    _, r, inner = _row_shape(plan)
    inners = [1] if inner == 1 else [16, 32, 64, 128]
    if plan.family == "softmax":
        one = next_pow2(r)
        space = []
        if one <= 65536:  # beyond this a row cannot live in registers
            space += [{"passes": "one", "BLOCK_R": one, "BLOCK_INNER": bi, "num_warps": w}
                      for bi in inners for w in (4, 8, 16) if one * bi <= 65536]
        space += [{"passes": "online", "BLOCK_R": b, "BLOCK_INNER": bi, "num_warps": w}
                  for b in (256, 1024, 2048, 4096) if b < one for bi in inners
                  for w in (4, 8)]
        if inner == 1:  # few long rows: split each over programs (templates/softmax.py)
            space += [{**c, "SPLIT": s} for c in space if c["passes"] == "online"
                      for s in NORM_SPLITS[1:]]
        return space
    blocks = [b for b in (16, 64, 256, 1024, 2048, 4096) if b <= max(16, next_pow2(r))]
    # Reductions keep a [BLOCK_R, BLOCK_INNER] accumulator in registers
    # (templates/reduction.py): beyond 8192 elements it would spill.
    most = 8192 if plan.family == "reduction" else 65536
    space = [{"BLOCK_R": b, "BLOCK_INNER": bi, "num_warps": w}
             for b in blocks for bi in inners for w in (4, 8) if b * bi <= most]
    if plan.family == "reduction" and plan.op in SPLITTABLE:
        space = [{**c, "SPLIT": s} for c in space for s in SPLITS]
    if plan.family == "norm" and inner == 1:
        space = [{**c, "SPLIT": s} for c in space for s in NORM_SPLITS]
    return space


# --- defaults -----------------------------------------------------------------


def default_config(plan: Plan, device: dict) -> dict:
    """The heuristic choice, snapped into config_space (so search moves start from it)."""
    return _repair(plan, _heuristic_config(plan, device))


def _heuristic_config(plan: Plan, device: dict) -> dict:
    sm_count = int((device or {}).get("sm_count") or 132)
    family = plan.family
    if family == "conv" and _bare_conv(plan):
        return _triton_conv_default(plan)
    if family in ("pointwise", "conv"):
        block = pointwise_block(math.prod(plan.out_shape))
        return {"BLOCK": block, "num_warps": 4}
    if family == "pool":  # a window per lane: 256 outputs per program keep every SM busy
        return {"BLOCK": min(256, pointwise_block(math.prod(plan.out_shape))), "num_warps": 4}
    if family == "loss":
        if plan.attr("loss") == "cross_entropy":
            return {"BLOCK": 1024, "num_warps": 4,
                    "ROWS": cross_entropy_rows(plan.attr("rows"), plan.attr("classes"), sm_count)}
        return {"BLOCK": 1024, "num_warps": 4,
                "TILES": loss_tiles(plan.attr("numel"), 1024, sm_count)}
    if family == "matmul":
        if prefer_torch_matmul(plan):
            return {"impl": "torch", "BLOCK": 1024, "num_warps": 4}
        return triton_matmul_config(plan)
    if family == "attention":
        block_m, block_n, warps = attention_tiles(plan.attr("D"))
        return {"BLOCK_M": block_m, "BLOCK_N": block_n, "num_warps": warps, "num_stages": 2,
                **fp32_precisions(plan)[0]}
    outer, r, inner = _row_shape(plan)
    block_r, block_inner = reduction_tiles(r, inner)
    if family == "softmax":
        one = next_pow2(r)
        if one <= one_pass_limit(plan.dtype) and one * block_inner <= 65536:
            return {"passes": "one", "BLOCK_R": one, "BLOCK_INNER": block_inner,
                    "num_warps": warps_for_block(one)}
        online = {"passes": "online", "BLOCK_R": 2048 if one > 2048 else 256,
                  "BLOCK_INNER": block_inner, "num_warps": 8}
        split = norm_split(outer, r, sm_count) if inner == 1 else 1
        return {**online, "SPLIT": split} if split > 1 else online
    # Scans take 4 warps: on an H200 a cumprod's 64x64 tiles ran 1.8x faster with 4
    # than with 8 at 512x32768, 1.25x at 384x49152 (benchmarks/results/h200-2026-12-01-flywheel-cumprod-matmul).
    warps = 4 if family == "scan" or block_r * block_inner < 2048 else 8
    config = {"BLOCK_R": _nearest(block_r, [c["BLOCK_R"] for c in _row_space(plan)]),
              "BLOCK_INNER": block_inner, "num_warps": warps}
    if family == "reduction" and plan.op in SPLITTABLE:
        config["SPLIT"] = split_count(outer * inner, r, sm_count)
    if family == "norm" and inner == 1:
        config["SPLIT"] = norm_split(outer, r, sm_count)
    return config


def triton_matmul_default(plan: Plan) -> dict:
    """The Triton tile kernel's starting config, snapped into the space."""
    return _repair(plan, triton_matmul_config(plan))


def _nearest(value, options):
    return min(sorted(set(options)), key=lambda o: (abs(math.log2(o) - math.log2(value)), o))


# --- search moves -------------------------------------------------------------


def config_distance(a: dict, b: dict) -> int:
    """How many keys two configs disagree on."""
    return sum(1 for k in set(a) | set(b) if a.get(k) != b.get(k))


def config_changes(before: dict, after: dict) -> str:
    """The keys that differ, as "KEY old→new, ..." (empty when the configs agree)."""
    return ", ".join(f"{k} {before.get(k)}→{after.get(k)}" for k in sorted(set(before) | set(after))
                     if before.get(k) != after.get(k))


# A skill's config fitted to another shape may differ in this many keys at most;
# beyond that it is a different kernel, not the skill's.
FIT_MAX_CHANGES = 2


def fit_config(plan: Plan, config: dict) -> dict | None:
    """`config` itself when this plan's space holds it, else the nearest config of
    the space that differs in at most FIT_MAX_CHANGES keys, else None.

    A skill from another shape can name values this shape's space lacks: a
    one-pass softmax over 32000 classes has BLOCK_R 32768, one over 16000 needs
    16384; fp32's PRECISION has no meaning for fp16 tiles."""
    fitted = _repair(plan, config)
    return fitted if config_distance(fitted, config) <= FIT_MAX_CHANGES else None


def _repair(plan: Plan, config: dict) -> dict:
    """The config of the space closest to `config` (first in space order on ties)."""
    space = config_space(plan)
    if config in space:
        return dict(config)
    return dict(min(space, key=lambda c: config_distance(c, config)))


def mutate(plan: Plan, config: dict, rng: random.Random) -> tuple[dict, str]:
    """One neighbouring config: a key moves one step in its sorted values."""
    space = config_space(plan)
    options: dict[str, list] = {}
    for candidate in space:
        for key, value in candidate.items():
            options.setdefault(key, [])
            if value not in options[key]:
                options[key].append(value)
    keys = sorted(k for k, values in options.items() if len(values) > 1)
    if not keys:
        return dict(config), "no alternative config"
    for _ in range(16):
        key = rng.choice(keys)
        values = sorted(options[key], key=lambda v: (str(type(v)), v))
        current = config.get(key)
        index = values.index(current) if current in values else 0
        step = rng.choice([-1, 1]) if 0 < index < len(values) - 1 else (1 if index == 0 else -1)
        new_value = values[index + step]
        matches = [c for c in space if c.get(key) == new_value]
        if not matches:
            continue
        child = dict(min(matches, key=lambda c: config_distance(c, {**config, key: new_value})))
        if child != config:
            return child, config_changes(config, child)
    return dict(config), "no alternative config"


def crossover(plan: Plan, a: dict, b: dict, rng: random.Random) -> dict:
    """Each key from one parent at random, then snapped to the nearest valid config."""
    keys = sorted(set(a) | set(b))
    mixed = {k: (a if rng.random() < 0.5 else b).get(k, a.get(k, b.get(k))) for k in keys}
    return _repair(plan, mixed)
