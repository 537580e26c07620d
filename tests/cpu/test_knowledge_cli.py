"""`kernelwright kb ...` through knowledge.cli.add_arguments / run, as the CLI wires them."""

from __future__ import annotations

import argparse
import json

import pytest
from kernelwright.harness.paths import data_dir
from kernelwright.knowledge import cli
from kernelwright.knowledge.index import EXTRA_PATH_ENV, workspace_knowledge_dir
from kernelwright.knowledge.skills import write_skill

PRIVATE_HW = """---
id: acme-x1-notes
title: ACME X1 accelerator notes
tier: hardware
devices: [acme-x1]
sources: [ACME X1 programming manual rev 3]
---
The ACME X1 has 96 KB of scratchpad per core; keep tiles under it.
"""


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv(EXTRA_PATH_ENV, raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # rich tables wide enough to show whole ids


@pytest.fixture
def workspace(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def kb(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kernelwright kb")
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(list(argv)))


def add_skill():
    return write_skill(
        {
            "outcome": "ok",
            "speedup": {"vs_eager": 1.8, "vs_compile": 1.1},
            "config": {"BLOCK": 1024},
            "move": "fused bias and GELU",
        },
        op_class="elementwise",
        dtype="float16",
        device="NVIDIA H100 80GB HBM3",
        shape=[8192, 8192],
        problem_hash="sha256:def",
        search_id="s-9",
    )


def test_list_shows_shipped_workspace_and_skill_documents(workspace, capsys):
    (workspace_knowledge_dir(workspace)).mkdir(parents=True)
    (workspace_knowledge_dir(workspace) / "acme.md").write_text(PRIVATE_HW)
    skill = add_skill()

    assert kb("list", "--workspace", str(workspace), "--json") == 0
    listing = json.loads(capsys.readouterr().out)
    origins = {d["id"]: d["origin"] for d in listing["documents"]}
    assert origins["nvidia-hopper"] == "shipped"
    assert origins["acme-x1-notes"] == "workspace"
    assert origins[skill.id] == "skill"
    assert listing["problems"] == []

    assert kb("list", "--workspace", str(workspace)) == 0
    out = capsys.readouterr().out
    assert "acme-x1-notes" in out and skill.id in out and "candidate-contract" in out


def test_list_reports_broken_documents_by_file_name_and_still_succeeds(workspace, capsys):
    folder = workspace_knowledge_dir(workspace)
    folder.mkdir(parents=True)
    (folder / "half-written.md").write_text("---\nid: half\ntitle: unfinished\n")
    assert kb("list", "--workspace", str(workspace)) == 0
    captured = capsys.readouterr()
    assert "half-written.md" in captured.err and "not closed" in captured.err
    assert "memory-coalescing" in captured.out

    assert kb("list", "--workspace", str(workspace), "--json") == 0
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [p["path"] for p in problems] == [str(folder / "half-written.md")]


def test_search_ranks_by_words_and_by_signals(workspace, capsys):
    assert (
        kb("search", "split-K skinny matmul atomic", "--workspace", str(workspace), "--json") == 0
    )
    results = json.loads(capsys.readouterr().out)["results"]
    assert results[0]["id"] == "matmul-split-k"

    assert (
        kb(
            "search",
            "",
            "--bottleneck",
            "latency-bound",
            "--device",
            "NVIDIA A100-SXM4-40GB",
            "--budget",
            "2500",
            "--workspace",
            str(workspace),
            "--json",
        )
        == 0
    )
    retrieved = json.loads(capsys.readouterr().out)["results"]
    ids = [r["id"] for r in retrieved]
    assert ids[:2] == ["candidate-contract", "numerical-contract"]
    assert "nvidia-ampere-a100" in ids and "occupancy-and-launch" in ids
    assert sum(r["tokens"] for r in retrieved) <= 2500

    assert kb("search", "online softmax", "--workspace", str(workspace)) == 0
    assert "online-softmax" in capsys.readouterr().out


def test_show_prints_a_document_and_rejects_unknown_ids(workspace, capsys):
    assert kb("show", "nvidia-hopper", "--workspace", str(workspace)) == 0
    out = capsys.readouterr().out
    assert "Hopper" in out and "Hopper Tuning Guide" in out  # body and its sources

    assert kb("show", "error-dot-shape", "--workspace", str(workspace), "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == "error-dot-shape" and "tl.dot" in shown["body"]

    assert kb("show", "no-such-doc", "--workspace", str(workspace)) == 2
    err = capsys.readouterr().err
    assert "no-such-doc" in err and len(err.strip().splitlines()) == 1


def test_add_copies_a_valid_document_into_the_workspace(workspace, tmp_path, capsys):
    source = tmp_path / "acme.md"
    source.write_text(PRIVATE_HW)
    assert kb("add", str(source), "--workspace", str(workspace)) == 0
    target = workspace_knowledge_dir(workspace) / "acme-x1-notes.md"
    assert target.read_text() == PRIVATE_HW
    assert str(target) in capsys.readouterr().out

    assert (
        kb(
            "search",
            "",
            "--device",
            "ACME X1",
            "--budget",
            "3000",
            "--workspace",
            str(workspace),
            "--json",
        )
        == 0
    )
    assert "acme-x1-notes" in [r["id"] for r in json.loads(capsys.readouterr().out)["results"]]


def test_add_user_stores_in_the_data_dir(workspace, tmp_path, capsys):
    source = tmp_path / "acme.md"
    source.write_text(PRIVATE_HW)
    assert kb("add", str(source), "--user", "--workspace", str(workspace), "--json") == 0
    added = json.loads(capsys.readouterr().out)
    assert added["path"] == str(data_dir() / "knowledge" / "acme-x1-notes.md")
    assert not workspace_knowledge_dir(workspace).exists()
    assert kb("show", "acme-x1-notes", "--workspace", str(workspace), "--json") == 0
    assert json.loads(capsys.readouterr().out)["origin"] == "user"


@pytest.mark.parametrize(
    "content, reason",
    [
        ("no front matter at all\n", "must start with a '---'"),
        ("---\nid: x\ntitle: t\nsignals: [fast]\n---\nbody\n", "unknown signals"),
        ("---\nid: x\ntitle: t\ntier: hardware\ndevices: [acme]\n---\nbody\n", "sources"),
    ],
)
def test_add_rejects_bad_documents_with_the_file_name(workspace, tmp_path, capsys, content, reason):
    source = tmp_path / "bad-note.md"
    source.write_text(content)
    assert kb("add", str(source), "--workspace", str(workspace)) == 2
    err = capsys.readouterr().err
    assert "bad-note.md" in err and reason in err and len(err.strip().splitlines()) == 1
    assert not workspace_knowledge_dir(workspace).exists()


def test_add_rejects_a_missing_file_and_an_id_clash(workspace, tmp_path, capsys):
    assert kb("add", str(tmp_path / "missing.md"), "--workspace", str(workspace)) == 2
    assert "missing.md" in capsys.readouterr().err

    folder = workspace_knowledge_dir(workspace)
    folder.mkdir(parents=True)
    (folder / "older-name.md").write_text(PRIVATE_HW)
    source = tmp_path / "acme.md"
    source.write_text(PRIVATE_HW.replace("96 KB", "128 KB"))
    assert kb("add", str(source), "--workspace", str(workspace)) == 2
    assert "older-name.md" in capsys.readouterr().err


def test_subcommand_is_required():
    parser = argparse.ArgumentParser(prog="kernelwright kb")
    cli.add_arguments(parser)
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([])
    assert exit_info.value.code == 2
