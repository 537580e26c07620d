"""The capture that compiles a candidate off the GPU gate (harness/precompile.py) ends at a
deadline: an endless loop under it recorded launches until the worker's host memory ran
out, and tests/cheats/timeout_loop.py got `crash` on an H200 where it should time out."""

from __future__ import annotations

import signal
import time

import pytest
import torch
from kernelwright.harness.precompile import CaptureTooLong, bounded


def _endless_forward(x: torch.Tensor) -> None:
    while True:
        x = x + 0


def _forward_that_swallows_errors(x: torch.Tensor) -> None:
    while True:
        try:
            x = x + 0
        except Exception:  # noqa: BLE001 - a candidate's own catch-all
            pass


@pytest.mark.parametrize("forward", [_endless_forward, _forward_that_swallows_errors])
def test_an_endless_forward_is_stopped_at_the_deadline(forward):
    handler = signal.getsignal(signal.SIGALRM)
    signal.setitimer(signal.ITIMER_REAL, 0)  # whatever timer the test runner set
    started = time.monotonic()
    with pytest.raises(CaptureTooLong), bounded(0.3, 1 << 40):
        forward(torch.zeros(4))
    assert time.monotonic() - started < 5
    # nothing of the deadline outlives it: no timer left, the old handler back
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler


def test_a_forward_that_grows_host_memory_is_stopped_before_the_deadline():
    signal.setitimer(signal.ITIMER_REAL, 0)  # whatever timer the test runner set
    kept = []
    started = time.monotonic()
    with pytest.raises(CaptureTooLong, match="grew the process by 64 MiB"), bounded(60, 64 << 20):
        while True:  # as a capture records an endless loop's launches
            kept.append(bytearray(b"x" * (1 << 20)))  # touched: resident
            time.sleep(0.001)
    assert time.monotonic() - started < 10
    assert 64 <= len(kept) < 1024


def test_an_earlier_timer_gets_back_what_is_left_of_it():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(time.monotonic()))
    try:
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, 0.6)
        with bounded(5.0, 1 << 40):
            time.sleep(0.2)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0.2 < left < 0.45
        time.sleep(0.8)
        assert fired and 0.5 < fired[0] - started < 0.9
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_forward_that_ends_in_time_is_untouched():
    signal.setitimer(signal.ITIMER_REAL, 0)  # whatever timer the test runner set
    with bounded(5.0, 1 << 40):
        out = torch.ones(3) * 2
    assert out.tolist() == [2.0, 2.0, 2.0]
    time.sleep(0.01)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
