"""Knowledge base: parsing, indexing every source, and retrieval by signal."""

from __future__ import annotations

from pathlib import Path

import pytest
from kernelwright.harness.messages import EvalResult
from kernelwright.knowledge.document import CORRECTNESS, GUIDANCE, HARDWARE, document_from_text
from kernelwright.knowledge.frontmatter import KnowledgeError, parse_front_matter
from kernelwright.knowledge.index import EXTRA_PATH_ENV, KnowledgeIndex, workspace_knowledge_dir
from kernelwright.knowledge.retrieval import retrieve
from kernelwright.knowledge.signals import Signals, signals_from_result
from kernelwright.knowledge.vocabulary import (
    BOTTLENECK_CLASSES,
    classify_error,
    error_classes,
    op_classes_for,
)

H100 = "NVIDIA H100 80GB HBM3"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv(EXTRA_PATH_ENV, raising=False)


@pytest.fixture
def shipped() -> KnowledgeIndex:
    return KnowledgeIndex.load(workspace=None)


def write_doc(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


PRIVATE_HW = """---
id: acme-x1-notes
title: ACME X1 accelerator notes
tier: hardware
devices: [acme-x1]
sources: [ACME X1 programming manual rev 3, internal]
---
The ACME X1 has 96 KB of scratchpad per core; keep BLOCK_M * BLOCK_K tiles under it.
"""


# --- shipped documents -------------------------------------------------------------


def test_shipped_documents_all_load_in_three_tiers(shipped):
    assert shipped.problems == []
    tiers = {d.tier for d in shipped.documents}
    assert {CORRECTNESS, GUIDANCE, HARDWARE} <= tiers
    ids = {d.id for d in shipped.documents}
    assert {"nvidia-hopper", "nvidia-ampere-a100", "amd-cdna3-mi300x", "cpu-interpreter"} <= ids
    for doc in shipped.by_tier(HARDWARE):
        assert doc.sources, f"{doc.id} makes hardware claims without sources"


def test_every_signal_the_classifier_can_emit_has_shipped_guidance(shipped):
    covered = {signal for doc in shipped.documents for signal in doc.signals}
    missing = (set(error_classes()) | set(BOTTLENECK_CLASSES)) - covered
    assert not missing, f"no shipped document answers {sorted(missing)}"


def test_lexical_search_finds_the_document_about_the_words(shipped):
    results = shipped.search("Welford variance merge", limit=3)
    assert results[0][0].id == "welford-normalization"
    assert shipped.search("zzzzqqq xxyyzz") == []


# --- front matter ----------------------------------------------------------------


def test_front_matter_subset_parses_lists_json_and_scalars():
    fields, body = parse_front_matter(
        "---\n"
        "id: x\n"
        "title: 'It''s a title: with colon'\n"
        "signals: [memory-bound, latency-bound]\n"
        "sources:\n"
        "  - First source, https://example.org/a#b\n"
        '  - "Second"\n'
        'config: {"BLOCK": 1024, "num_warps": 4}\n'
        "count: 3\n"
        "ratio: 1.5\n"
        "flag: true\n"
        "nothing: null\n"
        "# a comment\n"
        "---\n"
        "Body text.\n"
    )
    assert fields["title"] == "It's a title: with colon"
    assert fields["signals"] == ["memory-bound", "latency-bound"]
    assert fields["sources"] == ["First source, https://example.org/a#b", "Second"]
    assert fields["config"] == {"BLOCK": 1024, "num_warps": 4}
    assert (fields["count"], fields["ratio"], fields["flag"], fields["nothing"]) == (
        3,
        1.5,
        True,
        None,
    )
    assert body == "Body text."


@pytest.mark.parametrize(
    "text, reason",
    [
        ("id: x\ntitle: y\n\nbody", "must start with a '---'"),
        ("---\nid: x\ntitle: y\nbody", "not closed"),
        ("---\nid: x\nthis is not a key\n---\nbody", "line 3"),
        ("---\nid: x\nid: y\n---\nbody", "duplicate key 'id'"),
        ("---\nid: x\nsignals: [a, b\n---\nbody", "not closed with ']'"),
        ("---\nid: x\nconfig: {broken\n---\nbody", "valid JSON"),
        ("---\ntitle: no id\n---\nbody", "'id'"),
        ("---\nid: x\ntitle: t\nsignals: [memory-bond]\n---\nbody", "unknown signals"),
        ("---\nid: x\ntitle: t\ntier: hardware\ndevices: [h100]\n---\nbody", "sources"),
        ("---\nid: x\ntitle: t\ntier: folklore\n---\nbody", "tier"),
        ("---\nid: x\ntitle: t\n---\n\n", "body is empty"),
    ],
)
def test_bad_documents_say_what_is_wrong(text, reason):
    with pytest.raises(KnowledgeError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        document_from_text(text)


def test_broken_workspace_document_is_reported_with_its_file_and_skipped(tmp_path):
    folder = workspace_knowledge_dir(tmp_path)
    broken = write_doc(folder, "broken.md", "---\nid: broken\ntitle: [unclosed\n---\nbody\n")
    write_doc(folder, "acme.md", PRIVATE_HW)
    index = KnowledgeIndex.load(workspace=tmp_path)
    assert index.get("acme-x1-notes") is not None
    assert index.get("broken") is None
    assert len(index.problems) == 1
    assert index.problems[0].path == broken
    assert "broken.md" in str(index.problems[0])
    assert index.get("candidate-contract") is not None  # the rest still loads


def test_workspace_document_overrides_shipped_one_with_same_id(tmp_path):
    write_doc(
        workspace_knowledge_dir(tmp_path),
        "mine.md",
        "---\nid: memory-coalescing\ntitle: Our own coalescing rules\n---\nUse our DMA engine.\n",
    )
    index = KnowledgeIndex.load(workspace=tmp_path)
    doc = index.get("memory-coalescing")
    assert doc.title == "Our own coalescing rules" and doc.origin == "workspace"
    assert [d.id for d in index.documents].count("memory-coalescing") == 1


def test_configured_extra_folder_is_indexed(tmp_path, monkeypatch):
    extra = tmp_path / "team-kb"
    write_doc(extra, "acme.md", PRIVATE_HW)
    monkeypatch.setenv(EXTRA_PATH_ENV, str(extra))
    doc = KnowledgeIndex.load(workspace=None).get("acme-x1-notes")
    assert doc is not None and doc.origin == "extra"


# --- signals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome, message, expected",
    [
        ("compile_error", "ValueError: arange's range must be a power of 2", "arange-power-of-two"),
        (
            "compile_error",
            "ValueError: arange's arguments must be of type tl.constexpr",
            "constexpr",
        ),
        (
            "compile_error",
            (
                "out of resource: shared memory, Required: 262144, Hardware limit: 232448. "
                "Reducing block sizes or `num_stages` may help."
            ),
            "out-of-resources",
        ),
        (
            "compile_error",
            (
                "AssertionError: First input shape (['constexpr[32]', 'constexpr[16]']) and "
                "second input shape ['constexpr[32]', 'constexpr[16]'] are not compatible for "
                "matmul"
            ),
            "dot-shape",
        ),
        (
            "compile_error",
            "ValueError: Cannot broadcast, rank mismatch: ['32'], ['32', '32']",
            "broadcast-shape",
        ),
        ("compile_error", "unsupported AST node type: Break", "unsupported-syntax"),
        ("compile_error", "something the compiler never said before", "compile-other"),
        (
            "runtime_error",
            "CUDA error: an illegal memory access was encountered",
            "illegal-memory-access",
        ),
        ("wrong", "max abs error 3.1e-03 exceeds atol 1e-04", "wrong-result"),
        ("wrong", "output has NaN where the reference does not", "wrong-nonfinite"),
        ("timeout", "killed after 120 s", "timeout"),
        ("ok", "", None),
    ],
)
def test_error_messages_are_classified(outcome, message, expected):
    assert classify_error(outcome, message) == expected


def test_signals_from_an_eval_result_and_a_graph():
    result = EvalResult(
        outcome="ok",
        message="",
        device=H100,
        profile={"bottleneck": "memory", "achieved_gbps": 1500.0},
    ).to_dict()
    graph = {
        "nodes": [{"op": "aten._softmax.default"}, {"target": "torch.nn.functional.gelu"}],
        "inputs": [{"dtype": "torch.float16", "shape": [4096, 4096]}],
    }
    signals = signals_from_result(result, graph)
    assert signals == Signals(
        bottleneck="memory-bound",
        error_class=None,
        op_classes=("softmax", "elementwise"),
        device=H100,
        dtype="float16",
    )


def test_compile_error_text_in_the_log_tail_is_used():
    result = {
        "outcome": "compile_error",
        "message": "CompilationError at line 12",
        "log_tail": "ValueError: arange's range must be a power of 2",
        "device": "cpu",
    }
    assert signals_from_result(result).error_class == "arange-power-of-two"


def test_op_names_map_to_op_classes():
    assert op_classes_for(
        ["nn.LayerNorm", "Conv2d", "torch.bmm", "CrossEntropyLoss", "mystery"]
    ) == ("normalization", "conv", "matmul", "loss")


# --- retrieval -------------------------------------------------------------------


def ids(docs):
    return [d.id for d in docs]


def test_correctness_documents_come_first_always(shipped):
    docs = retrieve(Signals(bottleneck="compute-bound"), 4000, index=shipped)
    assert [d.tier for d in docs[:2]] == [CORRECTNESS, CORRECTNESS]
    assert CORRECTNESS not in {d.tier for d in docs[2:]}
    # Even a budget too small for them keeps the contract.
    assert {d.tier for d in retrieve(Signals(), 10, index=shipped)} == {CORRECTNESS}


@pytest.mark.parametrize(
    "signals, expected_first",
    [
        (Signals(bottleneck="memory-bound"), {"memory-coalescing", "kernel-fusion"}),
        (Signals(bottleneck="compute-bound", op_classes=("matmul",)), {"matmul-tiling"}),
        (Signals(bottleneck="latency-bound"), {"occupancy-and-launch"}),
        (Signals(error_class="out-of-resources"), {"error-out-of-resources"}),
        (Signals(error_class="dot-shape"), {"error-dot-shape"}),
        (Signals(error_class="arange-power-of-two"), {"error-constexpr-power-of-two"}),
        (Signals(error_class="illegal-memory-access"), {"error-illegal-memory-access"}),
        (
            Signals(error_class="wrong-result"),
            {"numerics", "triton-pitfalls", "welford-normalization"},
        ),
        (Signals(error_class="timeout"), {"error-timeout"}),
        (Signals(op_classes=("normalization",)), {"welford-normalization"}),
        (
            Signals(op_classes=("softmax",)),
            {"online-softmax", "attention", "kernel-fusion", "memory-coalescing"},
        ),
    ],
)
def test_each_signal_retrieves_its_guidance_first(shipped, signals, expected_first):
    docs = retrieve(signals, 4000, index=shipped)
    first_after_contract = docs[2]
    assert first_after_contract.id in expected_first, ids(docs)


def test_an_error_outranks_the_bottleneck(shipped):
    signals = Signals(bottleneck="memory-bound", error_class="dot-shape", op_classes=("matmul",))
    assert retrieve(signals, 4000, index=shipped)[2].id == "error-dot-shape"


@pytest.mark.parametrize(
    "device, page",
    [
        (H100, "nvidia-hopper"),
        ("NVIDIA H200", "nvidia-hopper"),
        ("NVIDIA A100-SXM4-80GB", "nvidia-ampere-a100"),
        ("AMD Instinct MI300X", "amd-cdna3-mi300x"),
        ("cpu", "cpu-interpreter"),
    ],
)
def test_device_gets_its_hardware_page_and_no_other(shipped, device, page):
    docs = retrieve(Signals(bottleneck="compute-bound", device=device), 6000, index=shipped)
    hardware = [d.id for d in docs if d.tier == HARDWARE]
    assert hardware == [page]


def test_no_device_means_no_hardware_page_unless_asked_by_words(shipped):
    assert HARDWARE not in {
        d.tier for d in retrieve(Signals(bottleneck="memory-bound"), 6000, index=shipped)
    }
    docs = retrieve(Signals(), 6000, "MI300X wavefront LDS", index=shipped)
    assert "amd-cdna3-mi300x" in ids(docs)


@pytest.mark.parametrize("budget", [900, 1500, 2500, 5000])
def test_token_budget_is_honoured(shipped, budget):
    signals = Signals(
        bottleneck="memory-bound", op_classes=("softmax",), device=H100, dtype="float32"
    )
    docs = retrieve(signals, budget, "online softmax", index=shipped)
    assert sum(d.tokens for d in docs) <= budget
    assert len(docs) >= 2


def test_a_bigger_budget_adds_documents_without_reordering_the_first_ones(shipped):
    signals = Signals(bottleneck="compute-bound", op_classes=("matmul",), device=H100)
    small = ids(retrieve(signals, 2500, index=shipped))
    large = ids(retrieve(signals, 8000, index=shipped))
    assert len(large) > len(small)
    assert large[: len(small)] == small


def test_workspace_private_hardware_is_retrieved_for_its_device_only(tmp_path):
    write_doc(workspace_knowledge_dir(tmp_path), "acme.md", PRIVATE_HW)
    on_acme = retrieve(
        Signals(bottleneck="compute-bound", device="ACME X1 rev B"), 4000, workspace=tmp_path
    )
    assert "acme-x1-notes" in ids(on_acme)
    assert on_acme[2].id == "acme-x1-notes"  # the device page leads the guidance
    on_h100 = retrieve(Signals(bottleneck="compute-bound", device=H100), 4000, workspace=tmp_path)
    assert "acme-x1-notes" not in ids(on_h100)
