"""Timing's warm-up is bounded by the GPU's time, not by how fast the CPU queues launches."""

from __future__ import annotations

import time

import torch
from kernelwright.harness import timing


def test_warm_up_of_a_long_kernel_waits_for_each_call(monkeypatch):
    """A call that keeps the GPU busy 20 ms: warm-up runs it a handful of times, not the
    1000 launches the CPU can queue in 100 ms (9 s of GPU time for a 1 GB layer norm)."""
    queued = []

    def launch():  # the CPU side of an asynchronous kernel launch: instant
        queued.append(1)

    def synchronize(device=None):  # the GPU works through what was queued
        time.sleep(0.02 * len(queued))
        queued.clear()

    calls = []
    monkeypatch.setattr(torch.cuda, "synchronize", synchronize)
    timing._warm_up(lambda: (calls.append(1), launch()), [], torch.device("cpu"))
    gpu_ms = 20.0 * len(calls)
    assert 3 <= len(calls) <= 10
    assert gpu_ms < 10 * timing.WARMUP_MS
