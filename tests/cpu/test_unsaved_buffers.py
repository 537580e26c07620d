"""Model code keeps tables in buffers registered with `persistent=False` (Hugging Face's
rotary cos/sin caches, GPT-2's causal mask): they are in no state_dict. A candidate
that registers one under the same name gets the reference's values, as it gets its
weights (harness/loading.py). Before, it kept its own zeros: the embedded generator's
kernel for the rotary problem was `wrong` ("output is constant")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers_problems import (
    capture_many,
    failures,
    first_proposal,
    shrunk_problem,
    verify_many,
)

CORPUS = Path(__file__).parents[2] / "benchmarks" / "corpus"
CASES = ["200_rotary_embedding_unsaved_tables.py", "201_gpt2_causal_mask_buffer_softmax.py"]


@pytest.mark.slow
def test_a_candidate_gets_the_buffers_no_state_dict_holds(tmp_path):
    paths = [shrunk_problem(CORPUS / name, tmp_path) for name in CASES]
    cases = []
    for path, graph in zip(paths, capture_many(paths), strict=True):
        proposal = first_proposal(path, graph)
        assert "@triton.jit" in proposal.source, path.name
        cases.append((path, proposal.source))
    assert failures(cases, verify_many(cases)) == []
