"""Which replies become candidates and which are proposer failures."""

from __future__ import annotations

import pytest
from kernelwright.agent.proposers.base import ProposerError
from kernelwright.agent.proposers.claude_response import extract_candidate

MODULE = "import torch.nn as nn\n\nclass ModelNew(nn.Module):\n    pass\n"


def test_the_module_and_the_move_line_are_extracted():
    candidate = extract_candidate(f"MOVE: split the reduction\n```python\n{MODULE}```")
    assert candidate.source == MODULE
    assert candidate.move == "split the reduction"


def test_the_last_usable_block_wins_over_an_earlier_sketch():
    reply = f"```python\ndef kernel(): ...\n```\nfinal:\n```py\n{MODULE}```"
    assert extract_candidate(reply).source == MODULE


def test_code_that_does_not_parse_is_rejected_with_the_line():
    with pytest.raises(ProposerError, match="does not parse \\(line 2"):
        extract_candidate("```python\nclass ModelNew:\n  def f(:\n```")


def test_code_without_model_new_is_rejected():
    with pytest.raises(ProposerError, match="no top-level class ModelNew"):
        extract_candidate("```python\nclass Model:\n    pass\n```")


def test_prose_only_is_rejected():
    with pytest.raises(ProposerError, match="no ```python block"):
        extract_candidate("Use a bigger block size.")


def test_a_missing_move_line_still_yields_the_candidate():
    assert extract_candidate(f"```python\n{MODULE}```").move == "rewrite"
