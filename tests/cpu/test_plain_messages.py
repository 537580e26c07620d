"""What the editor shows of a failure is one plain sentence; the evidence goes to the log."""

from __future__ import annotations

from kernelwright.harness.failures import traceback_summary
from kernelwright.server.plain_text import sentence

EXPORT_FAILURE = (
    "embedded: no candidate for this problem: the capture is incomplete: export failed "
    "(RuntimeError: Cannot access data pointer of Tensor (e.g. FakeTensor, FunctionalTensor). "
    "If you're using torch.compile/export/fx, it is likely that we are erroneously tracing "
    "into a custom kernel. Please see https://pytorch.org/tutorials/advanced/"
    "custom_ops_landing_page.html); fx failed (TraceError: symbolically traced variables "
    "cannot be used as inputs to control flow)"
)

WORKER_TRACE = """Traceback (most recent call last):
  File "/usr/lib/python3.11/site-packages/torch/nn/modules/module.py", line 1789, in _call_impl
    return forward_call(*args, **kwargs)
  File "/home/u/.cache/kernelwright/problems/ec4f98f6cd4fc46d.py", line 50, in forward
    return softmax(x)
  File "/home/u/.cache/kernelwright/problems/ec4f98f6cd4fc46d.py", line 39, in softmax
    kernel._init_handles()
  File "/usr/lib/python3.11/site-packages/triton/runtime/jit.py", line 12, in helper
    raise AttributeError("'NoneType' object has no attribute '_init_handles'")
AttributeError: 'NoneType' object has no attribute '_init_handles'
"""


def test_exception_evidence_and_internal_names_leave_the_sentence():
    assert sentence(EXPORT_FAILURE) == (
        "the built-in generator: no candidate for this problem: the capture is incomplete: "
        "export failed; fx failed"
    )
    assert sentence("matmul operand Ref(name='a') is computed") == "matmul operand `a` is computed"
    # a short parenthetical that is not evidence stays
    assert sentence("3 candidates (2 verified)") == "3 candidates (2 verified)"


def test_a_long_sentence_ends_at_a_clause_or_is_cut_at_a_word_and_says_so():
    text = "the reference " + "takes a very long time " * 20
    short = sentence(text, limit=80)
    assert len(short) <= 80 and short.endswith("…") and not short[:-1].endswith(" ")
    assert text.startswith(short[:-1])
    clauses = "the capture is incomplete; " + "it tried every way it knows " * 10
    assert sentence(clauses, limit=80) == "the capture is incomplete"


def test_a_long_exception_keeps_its_first_clause_and_where_it_was_raised():
    """Issue 18: FakeTensor errors and long exceptions were cut at 200 characters."""
    long = (
        "HarnessError: worker failed: RuntimeError: the shapes disagree: "
        + "a very long explanation of why " * 30
        + "(8, 64) (in deep, line 10 of the problem)"
    )
    assert sentence(long) == "RuntimeError: the shapes disagree (in deep, line 10 of the problem)"
    assert sentence(long, logged=True) == (
        "RuntimeError: the shapes disagree (in deep, line 10 of the problem); "
        "details in the kernelwright log"
    )
    fake = (
        "RuntimeError: Cannot access data pointer of Tensor (e.g. FakeTensor, "
        "FunctionalTensor). If you're using torch.compile/export/fx, it is likely that we "
        "are erroneously tracing into a custom kernel. To fix this, please wrap the custom "
        "kernel into an opaque custom op. Please see the following for details: "
        "https://pytorch.org/tutorials/advanced/custom_ops_landing_page.html"
    )
    assert sentence(fake, logged=True) == (
        "RuntimeError: Cannot access data pointer of Tensor (e.g. FakeTensor, "
        "FunctionalTensor); details in the kernelwright log"
    )


def test_tracebacks_paths_reprs_and_proposer_names_become_plain():
    cut = 'worker failed: …/lib/python3.11/site-packages/torch/nn/modules/module.py", line 17'
    assert sentence(cut + "\n" + WORKER_TRACE) == (
        "AttributeError: 'NoneType' object has no attribute '_init_handles' "
        "(in softmax, line 39 of the problem)"
    )
    assert "…" not in sentence("worker failed: …/lib/python3.11/site-packages/x.py: bad")
    assert sentence("ValueError: bad shape in /usr/lib/python3.11/site-packages/torch/f.py") == (
        "ValueError: bad shape in torch/f.py"
    )
    assert sentence("operand Size(value=128, name='N') is dynamic") == "operand `128` is dynamic"
    assert sentence("embedded: no candidate for this problem") == (
        "the built-in generator: no candidate for this problem"
    )
    # nothing left out, nothing to look up
    assert sentence("3 candidates (2 verified)", logged=True) == "3 candidates (2 verified)"


def test_a_worker_traceback_becomes_its_error_and_the_users_line():
    summary = traceback_summary(WORKER_TRACE)
    assert summary == (
        "AttributeError: 'NoneType' object has no attribute '_init_handles' "
        "(in softmax, line 39 of the problem)"
    )
    assert sentence("HarnessError: worker failed: " + summary) == summary
    assert traceback_summary("no traceback here") == "no traceback here"
