"""Skills written back after a search: distil, store with provenance, find again, retrieve."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from kernelwright.harness.paths import data_dir
from kernelwright.knowledge.document import SKILL
from kernelwright.knowledge.frontmatter import KnowledgeError
from kernelwright.knowledge.index import EXTRA_PATH_ENV, KnowledgeIndex, skills_dir
from kernelwright.knowledge.retrieval import retrieve
from kernelwright.knowledge.shape_regime import (
    RegimeFacts,
    closeness,
    regime_key,
    regime_label,
    similarity,
)
from kernelwright.knowledge.signals import Signals
from kernelwright.knowledge.skills import find_skills, mark_not_applying, write_skill

H100 = "NVIDIA H100 80GB HBM3"
SOFTMAX_CONFIG = {"BLOCK_SIZE": 4096, "num_warps": 8, "rows_per_program": 1}


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv(EXTRA_PATH_ENV, raising=False)


def best_node(config=SOFTMAX_CONFIG, vs_eager=2.4, vs_compile=1.3, outcome="ok"):
    return {
        "id": "n7",
        "outcome": outcome,
        "source": "class ModelNew: ...",
        "config": config,
        "move": "fused max, exp-sum and normalise into one pass over each row",
        "decisions": ["one program per row", "online softmax", "fp32 statistics"],
        "speedup": {"vs_eager": vs_eager, "vs_compile": vs_compile},
        "profile": {"bottleneck": "memory-bound"},
    }


def write(best=None, shape=None, **overrides):
    arguments = {
        "op_class": "softmax",
        "dtype": "float32",
        "device": H100,
        "shape": shape or {"rows": 4096, "cols": 4096},
        "problem_hash": "sha256:abc",
        "search_id": "search-1",
    }
    arguments.update(overrides)
    return write_skill(best or best_node(), **arguments)


def test_skill_is_stored_in_the_data_dir_with_provenance():
    skill = write()
    assert skill.path.parent == data_dir() / "skills" == skills_dir()
    assert str(skill.path).startswith(str(data_dir()))
    text = skill.path.read_text(encoding="utf-8")
    for expected in (
        "rows≈4k, cols≈4k",
        "sha256:abc",
        "search-1",
        "kernelwright_version",
        "2.40× vs eager PyTorch",
        "1.30× vs torch.compile",
        "online softmax",
        '"BLOCK_SIZE": 4096',
        "fused max, exp-sum",
    ):
        assert expected in text


def test_written_skill_is_found_for_a_related_shape_with_its_config():
    write()
    found = find_skills("softmax", "float32", H100, {"rows": 8192, "cols": 4000})
    assert len(found) == 1
    skill = found[0]
    assert skill.config == SOFTMAX_CONFIG
    assert skill.decisions == ("one program per row", "online softmax", "fp32 statistics")
    assert skill.speedup_vs_eager == pytest.approx(2.4)
    assert skill.bottleneck == "memory-bound"
    context = skill.to_context()
    assert context["config"] == SOFTMAX_CONFIG and context["regime"] == "rows≈4k, cols≈4k"


def test_runners_up_are_stored_and_read_back_in_rank_order():
    runners = [
        {"config": {**SOFTMAX_CONFIG, "BLOCK_SIZE": 2048}, "speedup_vs_eager": 2.31},
        {"config": {**SOFTMAX_CONFIG, "num_warps": 4}, "speedup_vs_eager": 2.2},
        {"config": None, "speedup_vs_eager": 2.0},
    ]  # no config: nothing to reuse
    write(runners_up=runners)
    (skill,) = find_skills("softmax", "float32", H100, {"rows": 8192, "cols": 4000})
    assert [r["config"] for r in skill.to_context()["runners_up"]] == [
        runners[0]["config"],
        runners[1]["config"],
    ]
    assert "2.31× vs eager PyTorch" in skill.path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "best",
    [
        best_node(outcome="wrong"),
        best_node(vs_eager=None, vs_compile=None),  # CPU run: nothing was timed
        best_node(vs_eager=0.9),
        best_node(vs_eager=1.0),
    ],
)
def test_only_verified_improvements_become_skills(best):
    with pytest.raises(KnowledgeError, match="not a verified improvement"):
        write(best)
    assert not skills_dir().exists() or not list(skills_dir().glob("*.md"))


def test_same_winner_updates_the_same_file():
    first = write(now=datetime(2025, 1, 1, tzinfo=UTC))
    again = write(
        best_node(vs_eager=2.6), now=datetime(2025, 2, 1, tzinfo=UTC), search_id="search-2"
    )
    assert again.path == first.path
    assert list(skills_dir().glob("*.md")) == [first.path]
    (found,) = find_skills("softmax", "float32", H100, {"rows": 4096, "cols": 4096})
    assert found.speedup_vs_eager == pytest.approx(2.6)
    assert found.provenance["created"].startswith("2025-01-01")
    assert found.provenance["updated"].startswith("2025-02-01")
    assert found.provenance["search_id"] == "search-2"


def test_a_different_winner_gets_its_own_file():
    write()
    write(best_node(config={**SOFTMAX_CONFIG, "num_warps": 16}))
    assert len(list(skills_dir().glob("*.md"))) == 2


def test_skills_rank_by_shape_regime_then_dtype_and_only_for_the_op_class():
    small = write(best_node(config={"BLOCK_SIZE": 256}), shape={"rows": 65536, "cols": 256})
    large = write(best_node(config={"BLOCK_SIZE": 8192}), shape={"rows": 1024, "cols": 8192})
    half = write(
        best_node(config={"BLOCK_SIZE": 8192, "half": True}),
        shape={"rows": 1024, "cols": 8192},
        dtype="float16",
    )
    write(
        best_node(config={"BLOCK_M": 128}),
        op_class="matmul",
        shape={"M": 1024, "N": 1024, "K": 1024},
    )

    near_large = find_skills("softmax", "float32", H100, {"rows": 2048, "cols": 8192})
    assert [s.id for s in near_large] == [large.id, half.id, small.id]
    near_small = find_skills("softmax", "float16", H100, {"rows": 32768, "cols": 300})
    assert near_small[0].id == small.id
    assert all(s.op_class == "softmax" for s in near_small)
    assert find_skills("layer_norm", "float32", H100, {"rows": 1, "cols": 1}) == []


def test_broken_skill_file_is_skipped_by_find_and_reported_by_the_index():
    write()
    broken = skills_dir() / "skill-broken.md"
    broken.write_text("---\nid: skill-broken\ntier: skill\n", encoding="utf-8")
    assert len(find_skills("softmax", "float32", H100, {"rows": 4096, "cols": 4096})) == 1
    index = KnowledgeIndex.load(workspace=None)
    assert [p.path for p in index.problems] == [broken]


def test_index_lists_skills_and_retrieval_uses_matching_ones():
    skill = write()
    write(
        best_node(config={"BLOCK_M": 128}),
        op_class="matmul",
        shape=[1024, 1024, 1024],
        device="AMD Instinct MI300X",
    )
    index = KnowledgeIndex.load(workspace=None)
    doc = index.get(skill.id)
    assert doc is not None and doc.tier == SKILL and doc.origin == "skill"

    on_h200 = retrieve(
        Signals(
            bottleneck="memory-bound",
            op_classes=("softmax",),
            device="NVIDIA H200",
            dtype="float32",
        ),
        4000,
        index=index,
    )
    assert on_h200[2].id == skill.id  # same architecture, same op: the skill leads
    on_h100_matmul = retrieve(Signals(op_classes=("matmul",), device=H100), 6000, index=index)
    assert all(d.tier != SKILL for d in on_h100_matmul)  # the matmul skill is for MI300X


def test_shape_regimes():
    assert regime_label({"rows": 4000, "cols": 4096}) == "rows≈4k, cols≈4k"
    assert regime_label([3, 1 << 20]) == "≈4×1M"
    assert similarity({"a": 4096}, {"a": 4096}) == 1.0
    assert similarity([4096, 4096], [4096, 8192]) > similarity([4096, 4096], [4096, 65536])
    assert similarity([64, 64], [64, 64, 1]) == 0.5  # different rank: total size only, half weight
    assert similarity([64, 64], [64, 64, 4]) < 0.5


def rows(row, count, dtype_bytes=4, inner=1):
    """A row-wise problem on an H200 (132 SMs, 227 KiB per block, 50 MiB of L2)."""
    return RegimeFacts(
        row,
        count,
        dtype_bytes,
        32768 if dtype_bytes == 4 else 16384,
        132,
        232448,
        50 << 20,
        inner=inner,
    )


def test_regime_closeness_weighs_device_thresholds_not_only_sizes():
    """Issue 22's pair: 8192-wide rows fit one block, 49152-wide rows do not."""
    short, long_rows = rows(8192, 8192), rows(49152, 2048)
    far = closeness(long_rows, short)
    assert not far.same_regime
    assert "a row takes several blocks here" in far.why
    # twice the rows, same side of every threshold: the same regime
    near = closeness(rows(8192, 16384), short)
    assert near.same_regime and near.score > far.score
    # few rows against many: another regime even at the same row length
    assert not closeness(rows(8192, 64), short).same_regime
    assert "fewer rows than SMs here" in closeness(rows(8192, 64), short).why
    # The H200 RMSNorm pair (benchmarks/flywheel/rms_norm_*.py): every threshold on the
    # same side, but rows 16× longer; its skill's one-tile block walks them in 16 tiles.
    stretched = closeness(rows(16384, 8192), rows(1024, 262144))
    assert not stretched.same_regime
    assert "rows 16× longer here than in the skill's" in stretched.why


def test_a_strided_rows_skill_is_another_regime_for_contiguous_rows():
    """The H200 bench's pair: a sum over dim 1 of 64 x 4096 x 4095 (rows of 4096, elements
    4095 apart; its skill tiles 64 rows by 128 columns) and a logsumexp over the last dim
    of 8192 x 8191. Every threshold sits on the same side, but the skill, fitted to the
    contiguous rows, walked them 64 elements at a time, ten times slower than the default."""
    strided_sum = rows(4096, 64 * 4095, inner=4095)
    logsumexp = rows(8191, 8192)
    match = closeness(logsumexp, strided_sum)
    assert not match.same_regime
    assert (
        "a row's elements are contiguous here, a row's elements are strided in the skill's"
        in match.why
    )
    assert "elements 4095 apart" in match.why
    assert closeness(rows(4096, 64 * 4095, inner=2047), strided_sum).same_regime
    # facts kept in skills before the layout was: read as contiguous rows
    kept = strided_sum.to_dict()
    assert RegimeFacts.from_dict(kept) == strided_sum
    del kept["inner"]
    assert RegimeFacts.from_dict(kept).inner == 1


def test_retrieval_ranks_the_skill_from_the_problems_regime_first():
    # log2 shape similarity alone ranks the 16384-wide skill first for 40000-wide rows,
    # but those rows fit one block and these do not
    wide = write(
        best_node(config={"BLOCK_SIZE": 16384}),
        shape=[2048, 16384],
        facts=rows(16384, 2048),
        problem_hash="wide",
    )
    longer = write(
        best_node(config={"BLOCK_SIZE": 65536}),
        shape=[4096, 49152],
        facts=rows(49152, 4096),
        problem_hash="longer",
    )
    found = find_skills("softmax", "float32", H100, [2048, 40000], facts=rows(40000, 2048))
    assert [s.id for s in found] == [longer.id, wide.id]
    assert found[0].match.same_regime and not found[1].match.same_regime
    assert found[0].to_context()["match"]["why"].startswith("same regime")


def test_a_skill_marked_as_not_applying_is_left_out_of_that_regime_only():
    skill = write(shape=[4096, 4096], facts=rows(4096, 4096))
    key = regime_key([2048, 49152], "float32", "h100")
    marked = mark_not_applying(skill.path, key, {"why": "1.09× against the default's 1.30×"})
    assert marked.not_applying[0]["regime"] == key
    assert find_skills("softmax", "float32", H100, [2048, 49152]) == []
    assert [s.id for s in find_skills("softmax", "float32", H100, [4096, 4096])] == [skill.id]
    # the same winner written again keeps what the other regime taught
    again = write(shape=[4096, 4096], facts=rows(4096, 4096))
    assert again.id == skill.id and again.not_applying == marked.not_applying
    assert "Does not apply to" in skill.path.read_text(encoding="utf-8")
