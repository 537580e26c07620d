"""guards.PatchGuard on a worker where torch._dynamo is imported after its snapshot (a
candidate's torch.compile, the harness's compile baseline): dynamo's own wrapper of
torch.manual_seed is not a patch; a replacement, even one built the same way, is."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
import torch
from kernelwright.harness import guards

assert "torch._dynamo" not in sys.modules
guard = guards.PatchGuard()
import torch._dynamo  # wraps torch.manual_seed
print("after dynamo:", guard.changed())
torch.manual_seed = torch._disable_dynamo(lambda seed: torch.random.manual_seed(0))
print("look-alike:", guard.changed())
"""


def test_dynamos_wrapper_passes_and_a_look_alike_is_caught():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [
        "after dynamo: []",
        "look-alike: ['replaced `torch.manual_seed`']",
    ]
