"""What an evaluation's spare worker spends warming the harness's own Triton kernels
(harness/worker.py `_start_cuda`: the comparison and digest kernels), on one GPU.

    TRITON_CACHE_DIR=$(mktemp -d) python scripts/warm_kernels_cost.py   # a cold cache
    python scripts/warm_kernels_cost.py                                  # run again: warm

Each sandboxed worker has a private Triton cache (harness/sandbox.py), so every spare
starts cold. Prints the seconds of the CUDA context, the comparison kernel's warm-up and
the digest kernel's, with the cache directory's state before.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import torch


def main() -> None:
    cache = Path(os.environ.get("TRITON_CACHE_DIR", Path.home() / ".triton" / "cache"))
    entries = len(list(cache.iterdir())) if cache.is_dir() else 0
    started = time.perf_counter()
    torch.empty(1, device="cuda")
    from kernelwright.harness import compare_kernel, digest_kernel, verify

    context = time.perf_counter()
    compare_kernel.warm(torch.device("cuda"))
    compared = time.perf_counter()
    digest_kernel.warm(torch.device("cuda"), verify.HASH_KEYS)
    digested = time.perf_counter()
    print(
        f"cache entries before: {entries:3d} | context + imports {context - started:.2f} s | "
        f"compare warm {compared - context:.2f} s | digest warm {digested - compared:.2f} s"
    )


if __name__ == "__main__":
    main()
