"""The other shapes every candidate is verified at (harness/derived_shapes.py): which
inputs change together, and when a shape is outside the problem."""

from __future__ import annotations

import torch
from kernelwright.harness import derived_shapes


def test_sizes_are_one_and_an_odd_size_unlike_the_problems_own():
    assert derived_shapes.sizes(64) == [1, 3]
    assert derived_shapes.sizes(1) == [3]
    assert derived_shapes.sizes(3) == [1, 5]
    assert derived_shapes.sizes(None) == []


def test_inputs_sharing_the_batch_change_together_and_others_keep_their_shape():
    x, mask, weight, scale = torch.randn(8, 5), torch.ones(8, 1), torch.randn(5), 0.5
    derived = derived_shapes.derive([x, mask, weight, scale], 3, lambda inputs: True)
    assert [tuple(t.shape) for t in derived[:3]] == [(3, 5), (3, 1), (5,)]
    assert torch.equal(derived[0], x[:3]) and derived[3] == scale
    assert derived_shapes.describe(derived) == "[3, 5], [3, 1], [5]"


def test_when_the_reference_refuses_the_shared_reading_the_first_input_alone_changes():
    a, b = torch.randn(16, 16), torch.randn(16, 4)  # A @ B with M == K: B's dim 0 is K

    def matmul_defined(inputs):
        return inputs[0].shape[1] == inputs[1].shape[0]

    derived = derived_shapes.derive([a, b], 1, matmul_defined)
    assert derived is not None
    assert [tuple(t.shape) for t in derived] == [(1, 16), (16, 4)]


def test_a_shape_no_reading_of_which_the_reference_accepts_is_outside_the_problem():
    assert derived_shapes.derive([torch.randn(4, 4)], 1, lambda inputs: False) is None


def test_a_batch_of_one_grows_by_repeating_its_rows_but_not_past_the_limit():
    x = torch.randn(1, 6)
    (grown,) = derived_shapes.derive([x], 3, lambda inputs: True)
    assert grown.shape == (3, 6) and torch.equal(grown[2], x[0])
    huge = torch.empty(1, derived_shapes.GROW_LIMIT, device="meta")  # no memory
    assert derived_shapes.readings([huge], 3) == []


def test_the_summary_names_verified_shapes_and_where_the_original_runs():
    shapes = [
        {"shape": "[1, 64]", "status": "verified"},
        {"shape": "[3, 64]", "status": "original"},
        {"shape": "leading dim 5", "status": "outside"},
    ]
    assert derived_shapes.summary(shapes) == (
        " and at [1, 64]; at [3, 64] applied code runs the original PyTorch"
    )
