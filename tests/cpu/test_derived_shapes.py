"""The other shapes every candidate is verified at (harness/derived_shapes.py): which
inputs change together, and when a shape is outside the problem."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from kernelwright.harness import derived_shapes
from kernelwright.harness.derived_shapes import DerivedShape

LEADING_1, LEADING_3 = DerivedShape(1), DerivedShape(3)


def _defined(fn):
    """The reference accepts the inputs when running it raises nothing, as the pipeline
    decides (harness/pipeline.py reference_defined_on)."""

    def defined(inputs):
        try:
            fn(*inputs)
        except RuntimeError:
            return False
        return True

    return defined


def test_sizes_are_one_and_an_odd_size_unlike_the_problems_own():
    assert derived_shapes.sizes(64) == [1, 3]
    assert derived_shapes.sizes(1) == [3]
    assert derived_shapes.sizes(3) == [1, 5]
    assert derived_shapes.sizes(None) == []


def test_inputs_sharing_the_batch_change_together_and_others_keep_their_shape():
    x, mask, weight, scale = torch.randn(8, 5), torch.ones(8, 1), torch.randn(5), 0.5
    derived = derived_shapes.derive([x, mask, weight, scale], LEADING_3, lambda inputs: True)
    assert [tuple(t.shape) for t in derived[:3]] == [(3, 5), (3, 1), (5,)]
    assert torch.equal(derived[0], x[:3]) and derived[3] == scale
    assert derived_shapes.describe(derived) == "[3, 5], [3, 1], [5]"


def test_when_the_reference_refuses_the_shared_reading_the_first_input_alone_changes():
    a, b = torch.randn(16, 16), torch.randn(16, 4)  # A @ B with M == K: B's dim 0 is K

    def matmul_defined(inputs):
        return inputs[0].shape[1] == inputs[1].shape[0]

    derived = derived_shapes.derive([a, b], LEADING_1, matmul_defined)
    assert derived is not None
    assert [tuple(t.shape) for t in derived] == [(1, 16), (16, 4)]


def test_a_shape_no_reading_of_which_the_reference_accepts_is_outside_the_problem():
    assert derived_shapes.derive([torch.randn(4, 4)], LEADING_1, lambda inputs: False) is None


def test_a_batch_of_one_grows_by_repeating_its_rows_but_not_past_the_limit():
    x = torch.randn(1, 6)
    (grown,) = derived_shapes.derive([x], LEADING_3, lambda inputs: True)
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


def test_the_planned_shapes_add_an_odd_last_dim_below_the_problems_at_batch_one():
    x = torch.randn(64, 4096)
    assert derived_shapes.planned([x]) == [
        DerivedShape(1),
        DerivedShape(3),
        DerivedShape(1, 4095),
    ]
    assert derived_shapes.inner_size([torch.randn(8, 393215)]) == 393213
    assert derived_shapes.inner_size([torch.randn(8, 3)]) is None  # 1 is a power of two
    assert derived_shapes.inner_size([torch.randn(4096)]) is None  # 1-D: dim 0 is the batch


def test_integer_inputs_get_no_inner_shape_their_values_index_a_dim():
    logits, labels = torch.randn(32, 1000), torch.randint(0, 1000, (32,))
    assert derived_shapes.inner_size([logits, labels]) is None
    mask = torch.ones(32, 1000, dtype=torch.bool)  # a mask indexes nothing
    assert derived_shapes.inner_size([logits, mask]) == 999


def test_softmax_rows_narrow_to_an_odd_width():
    x = torch.randn(16, 12, 64, 64)  # attention scores: seq == head dim is common
    derived = derived_shapes.derive([x], DerivedShape(1, 63), _defined(lambda t: t.softmax(-1)))
    assert derived is not None and tuple(derived[0].shape) == (1, 12, 63, 63)
    assert torch.equal(derived[0], x[:1, :, :63, :63])


def test_matmul_narrows_k_in_both_operands():
    a, b = torch.randn(128, 256), torch.randn(256, 256)
    derived = derived_shapes.derive([a, b], DerivedShape(1, 255), _defined(torch.matmul))
    assert derived is not None
    assert [tuple(t.shape) for t in derived] == [(1, 255), (255, 255)]


def test_a_last_dim_a_weight_fixes_is_outside_the_problem():
    weight = torch.randn(512, 1024)  # nn.Linear(1024, 512): in_features is fixed
    linear = _defined(lambda x: F.linear(x, weight))
    assert derived_shapes.derive([torch.randn(8, 1024)], DerivedShape(1, 1023), linear) is None
    assert DerivedShape(1, 1023).describe() == "leading dim 1, last dim 1023"


def test_inputs_broadcast_over_the_last_dim_keep_their_size_one():
    x, bias = torch.randn(8, 64), torch.randn(8, 1)
    derived = derived_shapes.derive([x, bias], DerivedShape(1, 63), _defined(torch.add))
    assert derived is not None
    assert [tuple(t.shape) for t in derived] == [(1, 63), (1, 1)]


def test_a_shape_survives_the_manifest_and_a_forged_one_is_an_error():
    shape = DerivedShape(1, 4095)
    assert DerivedShape.from_json(shape.as_json()) == shape
    assert DerivedShape.from_json(DerivedShape(3).as_json()) == DerivedShape(3)
    with pytest.raises(TypeError):
        DerivedShape.from_json(7)  # the manifest is the runner's: a number is no shape
