"""What the runner leaves in the sandbox does not reach the judge (harness/judge.py).

The cheats that exercise it through the real harness are tests/cheats/leaves_process.py
and tests/cheats/plants_module.py (tests/cpu/test_harness_cheats.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from kernelwright.harness import judge
from kernelwright.harness.messages import OWN_PID_NAMESPACE_ENV


def test_a_kernel_cached_before_the_judge_decides_is_not_found_after(tmp_path, monkeypatch):
    from triton.runtime.cache import get_cache_manager

    monkeypatch.setenv("TRITON_CACHE_DIR", str(tmp_path / "shared"))
    key = "ab" * 32  # a hex digest, as Triton keys its entries
    get_cache_manager(key).put(b"a binary the candidate wrote", "softmax_rows.cubin")
    assert get_cache_manager(key).get_file("softmax_rows.cubin")

    judge.fresh_kernel_cache()

    assert os.environ["TRITON_CACHE_DIR"] != str(tmp_path / "shared")
    assert get_cache_manager(key).get_file("softmax_rows.cubin") is None


def test_outside_a_pid_namespace_of_its_own_the_judge_ends_nothing(monkeypatch):
    """kill(-1) outside the sandbox would be every process of the user's: the judge needs
    both the pool's word and a PID of 1 or 2 (the namespace's first processes)."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        monkeypatch.setenv(OWN_PID_NAMESPACE_ENV, "1")  # a forged word, at a host PID
        assert os.getpid() > 2
        assert judge.end_strays() == 0
        monkeypatch.delenv(OWN_PID_NAMESPACE_ENV)
        assert judge.end_strays() == 0
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()
