"""Shared pieces of the Claude proposer tests: a node context full of recognisable
markers, a well-formed reply, and a proposer pointed at the fake Messages API."""

from __future__ import annotations

from kernelwright.agent.proposers.base import NodeSummary, ProposalContext
from kernelwright.agent.proposers.claude import ClaudeProposer
from kernelwright.agent.proposers.claude_config import ClaudeConfig

from tests.fakes.messages_api import FakeMessagesAPI

SECRET = "sk-ant-api03-TESTSECRET-7f3a9c1e"
MODEL = "claude-sonnet-5-5"
COMPILE_ERROR = (
    "triton.compiler.errors.CompilationError: at 14:8: unsupported tensor index: <[constexpr[0]]>"
)
MISMATCH = (
    "mismatch: max_abs_error=0.03125 at (3, 17); 1893/65536 elements outside atol=1e-4 rtol=1e-4"
)
KNOWLEDGE = "KB-MARKER: on memory-bound elementwise ops, fuse the epilogue and use BLOCK_SIZE=1024."
SKILL = {"name": "SKILL-MARKER-fused-bias-gelu", "decisions": {"fuse": "bias+gelu"}}

PROBLEM_SOURCE = """import torch
import torch.nn as nn

N = 4096  # PROBLEM-MARKER

class Model(nn.Module):
    def forward(self, x):
        return torch.relu(x) * 2.0

def get_inputs():
    return [torch.randn(N, N)]

def get_init_inputs():
    return []
"""

CANDIDATE = """import torch
import torch.nn as nn
import triton
import triton.language as tl


class ModelNew(nn.Module):
    def forward(self, x):
        return x
"""

GOOD_REPLY = f"MOVE: fuse relu and scale into one vectorised pass\n```python\n{CANDIDATE}```\n"


def node(
    id: str,
    outcome: str,
    message: str = "",
    speedup: float | None = None,
    source: str = CANDIDATE,
    profile: dict | None = None,
) -> NodeSummary:
    return NodeSummary(
        id=id,
        source=source,
        config=None,
        move=f"move of {id}",
        outcome=outcome,
        message=message,
        speedup_vs_eager=speedup,
        profile=profile,
        correctness={"trials": 5, "passed": 0} if outcome == "wrong" else None,
    )


PARENT = node("n3", "compile_error", COMPILE_ERROR)
BEST = node(
    "n7",
    "ok",
    "",
    1.8,
    source=CANDIDATE.replace("return x", "return x * 2.0  # BEST"),
    profile={"bottleneck": "memory-bound", "pct_peak_bw": 71.5},
)
WORST = node("n9", "wrong", MISMATCH, source=CANDIDATE.replace("return x", "return x + 1  # WORST"))


def context(**changes) -> ProposalContext:
    fields = {
        "problem_path": "problems/relu_scale.py",
        "problem_source": PROBLEM_SOURCE,
        "graph": None,
        "device": {
            "name": "NVIDIA H100",
            "kind": "cuda",
            "peaks": {"copy_gbps": 3012.5, "fp32_tflops": 52.1},
        },
        "parent": PARENT,
        "memory": "parent+siblings",
        "memory_context": (BEST, WORST),
        "knowledge": (KNOWLEDGE,),
        "skills": (SKILL,),
        "reference_profile": {"bottleneck": "memory-bound", "eager_ms": 0.412},
    }
    fields.update(changes)
    return ProposalContext(**fields)


def proposer_for(api: FakeMessagesAPI, sleeps: list[float], **config_changes) -> ClaudeProposer:
    async def record_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    settings = {
        "api_key": SECRET,
        "key_source": "test",
        "model": MODEL,
        "base_url": api.base_url,
        "max_retries": 0,
    }
    settings.update(config_changes)
    return ClaudeProposer(ClaudeConfig(**settings), backoff_s=(1.0, 2.0, 3.0), sleep=record_sleep)
