"""Model code keeps tables in buffers registered with `persistent=False` (Hugging Face's
rotary cos/sin caches, GPT-2's causal mask): they are in no state_dict. A candidate
that registers one under the same name gets the reference's values, as it gets its
weights (harness/loading.py). Before, it kept its own zeros: the embedded generator's
kernel for the rotary problem was `wrong` ("output is constant")."""

from __future__ import annotations

import pytest

from tests.conftest import PROBLEMS
from tests.helpers_problems import capture_many, failures, first_proposal, verify_many

CASES = [PROBLEMS / "rotary_unsaved_tables.py", PROBLEMS / "causal_mask_unsaved_buffer.py"]


@pytest.mark.slow
def test_a_candidate_gets_the_buffers_no_state_dict_holds():
    cases = []
    for path, graph in zip(CASES, capture_many(CASES), strict=True):
        proposal = first_proposal(path, graph)
        assert "@triton.jit" in proposal.source, path.name
        cases.append((path, proposal.source))
    assert failures(cases, verify_many(cases)) == []
