"""A real editor end to end: headless Neovim runs Optimize from the code action
menu, applies candidate #1, saves; the saved file must compute what it did before."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsp_helpers import SERVER, copy_sample, server_env

DRIVER = Path(__file__).parent / "nvim_driver.lua"
pytestmark = pytest.mark.skipif(
    shutil.which("nvim") is None, reason="nvim not installed (apt-get install -y neovim)"
)


def run_file(path: Path, env: dict[str, str]) -> list[float]:
    # The saved file may launch Triton kernels: on CPU they run under TRITON_INTERPRET=1 (env).
    out = subprocess.run(
        [sys.executable, str(path)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=path.parent,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def drive_neovim(path: Path, select: str, env: dict[str, str], log: Path) -> str:
    env = {
        **env,
        "KW_FILE": str(path),
        "KW_LOG": str(log),
        "KW_SELECT": select,
        "KW_SERVER_CMD": json.dumps(SERVER),
        "KW_SETTINGS": json.dumps({"budget": 2, "device": "cpu", "timeLimitS": 150}),
    }
    proc = subprocess.run(
        ["nvim", "--headless", "--clean", "-u", "NONE", "-c", f"luafile {DRIVER}"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    text = log.read_text() if log.exists() else ""
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "FAIL" not in text and "saved" in text, text
    return text


@pytest.mark.slow
def test_neovim_optimize_apply_and_the_file_still_computes_the_same(tmp_path):
    fake = os.environ.get("KW_NVIM_FAKE_SEARCH") == "1"  # plumbing check only, never in CI
    if not fake:
        pytest.importorskip("kernelwright.agent.search", reason="the search has not landed yet")
    env = server_env(tmp_path / "cache", fake=fake)
    path = copy_sample(tmp_path, "sample_model.py")
    before = run_file(path, env)
    text = path.read_text()
    line = text.splitlines().index("        z = torch.relu(x) + y * 2.0") + 1
    log = drive_neovim(path, f"{line}:12:{line}:34", env, tmp_path / "nvim.log")
    saved = path.read_text()
    assert saved != text and "kw_relu(x, y)" in saved, log
    after = run_file(path, env)
    assert len(after) == len(before)
    assert all(abs(a - b) <= 1e-4 + 1e-4 * abs(b) for a, b in zip(after, before)), (after, before)
