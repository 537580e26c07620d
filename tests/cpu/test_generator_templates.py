"""Every template family, verified against PyTorch on odd shapes under the Triton interpreter.

Candidates run in child processes (tests/helpers_problems.py), never in pytest's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers_problems import graphs_for, problem_files, shrunk_all, shrunk_problem, verify_many
from kernelwright.agent.generator import config_space, default_config, plan, render

EXPECTED_FAMILY = {
    "01": "pointwise",
    "02": "pointwise",
    "03": "pointwise",
    "04": "reduction",
    "05": "reduction",
    "06": "reduction",
    "07": "reduction",
    "08": "reduction",
    "09": "reduction",
    "10": "reduction",
    "11": "scan",
    "12": "scan",
    "13": "softmax",
    "14": "softmax",
    "15": "softmax",
    "16": "norm",
    "17": "norm",
    "18": "norm",
    "19": "pointwise",
    "20": "loss",
    "21": "loss",
    "22": "loss",
    "23": "loss",
    "24": "matmul",
    "25": "matmul",
    "26": "matmul",
    "27": "matmul",
    "28": "conv",
    "29": "conv",
    "30": "attention",
    "31": "attention",
    "32": "attention",
    "33": "matmul",
    "34": "pool",
}

# Non-default decisions that must also be right: (problem prefix, config changes, shrink overrides)
VARIANTS = [
    (
        "24",
        {
            "impl": "triton",
            "BLOCK_M": 32,
            "BLOCK_N": 64,
            "BLOCK_K": 32,
            "GROUP_M": 1,
            "PERSISTENT": True,
            "num_warps": 2,
            "num_stages": 5,
            "PRECISION": "ieee",  # the defaults take tf32x3
        },
        {},
    ),
    (
        "25",
        {
            "impl": "triton",
            "BLOCK_M": 64,
            "BLOCK_N": 64,
            "BLOCK_K": 32,
            "GROUP_M": 8,
            "PERSISTENT": False,
            "num_warps": 4,
            "num_stages": 3,
            "PRECISION": "ieee",
        },
        {},
    ),
    (
        "26",
        {
            "impl": "triton",
            "BLOCK_M": 64,
            "BLOCK_N": 32,
            "BLOCK_K": 32,
            "GROUP_M": 1,
            "PERSISTENT": True,
            "num_warps": 2,
            "num_stages": 5,
            "PRECISION": "ieee",  # the defaults take tf32x3
        },
        {"K": 37},
    ),
    (
        "27",
        {
            "impl": "triton",
            "BLOCK_M": 64,
            "BLOCK_N": 64,
            "BLOCK_K": 32,
            "GROUP_M": 8,
            "PERSISTENT": False,
            "num_warps": 4,
            "num_stages": 3,
            "PRECISION": "ieee",
        },
        {"K": 45},
    ),
    ("04", {"BLOCK_R": 16, "BLOCK_INNER": 16, "num_warps": 4, "SPLIT": 4}, {"DIM1": 41}),
    ("09", {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 2}, {"COLS": 67}),
    ("10", {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 8}, {}),
    ("14", {"passes": "online", "BLOCK_R": 256, "BLOCK_INNER": 1, "num_warps": 4}, {}),
    # split rows; 1301 columns in chunks of 512 leave the 4th chunk empty
    ("14", {"passes": "online", "BLOCK_R": 256, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 4}, {}),
    ("16", {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 1}, {}),
    ("18", {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 1}, {}),
    # few long rows split over programs: chunk edges fall inside blocks, last chunk short
    (
        "16",
        {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 4},
        {"FEATURES": 5, "DIM": 37},
    ),
    ("18", {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 2}, {}),
    # several tiles per loss program; the last program's tiles partly or wholly past the end
    ("20", {"BLOCK": 512, "num_warps": 4, "TILES": 4}, {"BATCH": 37, "DIM": 101}),
    ("23", {"BLOCK": 512, "num_warps": 8, "TILES": 16}, {"BATCH": 5, "DIM": 1031}),
    ("22", {"BLOCK": 512, "num_warps": 4, "ROWS": 1}, {"CLASSES": 1031, "BATCH": 5}),
    # several rows per program, the last program's rows partly past the end
    ("22", {"BLOCK": 512, "num_warps": 4, "ROWS": 4}, {"CLASSES": 1031, "BATCH": 7}),
    (
        "30",
        {"BLOCK_M": 16, "BLOCK_N": 16, "num_warps": 4, "num_stages": 2, "PRECISION": "ieee"},
        {},
    ),
    (
        "31",
        {"BLOCK_M": 16, "BLOCK_N": 16, "num_warps": 4, "num_stages": 2, "PRECISION": "ieee"},
        {},
    ),
]


def _by_prefix(paths: dict[str, Path], prefix: str) -> Path:
    return next(p for name, p in paths.items() if name.startswith(prefix + "_"))


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """Default-config candidates for every problem plus the VARIANTS, verified in parallel."""
    paths = shrunk_all()
    names = sorted(paths)
    graphs = dict(zip(names, graphs_for([paths[n] for n in names])))
    cases, keys, plans = [], [], {}
    batch_free: set[str] = set()  # defaults that read the leading dim at run time
    every_dim: set[str] = set()  # ...and every other dim (leading.py: whole-input pointwise)
    for name in names:
        found = plan(graphs[name])
        plans[name] = found
        if found is not None:
            source = render(found, default_config(found, {"kind": "cpu"}))
            cases.append((paths[name], source))
            keys.append(("default", name[:2]))
            if "kw_lead" in source:
                batch_free.add(name[:2])
            if "kw_shape" in source:
                every_dim.add(name[:2])
    variant_dir = tmp_path_factory.mktemp("variants")
    variant_paths = [
        shrunk_problem(
            _by_prefix({p.name: p for p in problem_files()}, prefix),
            variant_dir / f"v{number}",
            small,
        )
        if (variant_dir / f"v{number}").mkdir() is None
        else None
        for number, (prefix, _, small) in enumerate(VARIANTS)
    ]
    variant_graphs = graphs_for(variant_paths)
    for number, ((prefix, config, _), path, graph) in enumerate(
        zip(VARIANTS, variant_paths, variant_graphs)
    ):
        found = plan(graph)
        assert found is not None, prefix
        assert config in config_space(found), (prefix, config)
        cases.append((path, render(found, config)))
        keys.append(("variant", number))
    results = verify_many(cases)
    return {
        "plans": plans,
        "results": dict(zip(keys, results)),
        "batch_free": batch_free,
        "every_dim": every_dim,
    }


@pytest.mark.parametrize("prefix", sorted(EXPECTED_FAMILY))
def test_default_candidate_matches_pytorch(verdicts, prefix):
    name = next(n for n in verdicts["plans"] if n.startswith(prefix + "_"))
    found = verdicts["plans"][name]
    assert found is not None, f"{name}: no plan"
    assert found.family == EXPECTED_FAMILY[prefix]
    result = verdicts["results"][("default", prefix)]
    assert result["outcome"] == "ok", f"{result['outcome']} {result['flags']}: {result['message']}"


@pytest.mark.parametrize(
    "number", range(len(VARIANTS)), ids=[f"{v[0]}-{n}" for n, v in enumerate(VARIANTS)]
)
def test_non_default_config_matches_pytorch(verdicts, number):
    result = verdicts["results"][("variant", number)]
    # the message as a string: pytest shortens a dict's repr in the middle, where the
    # judge's reason for refusing a runner's claim is (harness/judge.py)
    assert result["outcome"] == "ok", f"{result['outcome']} {result['flags']}: {result['message']}"


def test_defaults_that_read_the_batch_at_run_time_are_right_at_batch_1_and_3(verdicts):
    """Issue 16: the harness verified them at leading dims 1 and 3 too (never declined);
    the rest decline other shapes through `kw_accepts`, so applied code runs the original.
    At an odd last dim (harness/derived_shapes.py) the elementwise chains over whole
    inputs are verified too (every dim read at run time); the rest keep their inner
    dims specialised and decline, or the reference itself refuses the shape."""
    free, every = verdicts["batch_free"], verdicts["every_dim"]
    assert {"01", "04", "05", "09", "13", "14", "15", "16", "17", "18"} <= free
    assert every and every <= free
    inner_checked = 0
    for (kind, prefix), result in verdicts["results"].items():
        if kind != "default" or result["outcome"] != "ok":
            continue
        leading = {e["status"] for e in result["shapes"] if "last dim" not in e["derived"]}
        inner = {e["status"] for e in result["shapes"] if "last dim" in e["derived"]}
        if prefix in free:
            assert leading == {"verified"}, (prefix, result["shapes"])
        else:
            assert leading <= {"original", "outside"}, (prefix, result["shapes"])
        if prefix in every:
            assert inner == {"verified"}, (prefix, result["shapes"])
        else:
            assert inner <= {"original", "outside"}, (prefix, result["shapes"])
        inner_checked += bool(inner - {"outside"})
    assert inner_checked >= 10  # most problems have an inner dim the reference lets change


def test_every_problem_is_covered():
    assert len(problem_files()) >= 20
    assert sorted(p.name[:2] for p in problem_files()) == sorted(EXPECTED_FAMILY)


def test_split_rms_rows_match_pytorch():
    """The RMS statistics path of the split norm template (no benchmark problem has
    RMS over contiguous rows, so a small problem of the tests' own)."""
    path = Path(__file__).resolve().parents[1] / "problems" / "rms_norm_rows.py"
    found = plan(graphs_for([path])[0])
    assert found is not None and found.family == "norm" and found.attr("stats") == "rms"
    config = {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 4}
    assert config in config_space(found)
    source = render(found, config)
    assert "norm_stats_kernel" in source and "norm_apply_kernel" in source
    [result] = verify_many([(path, source)])
    assert result["outcome"] == "ok", result


@pytest.mark.parametrize(
    "name, config",
    [
        ("argmin_ties.py", {"BLOCK_R": 16, "BLOCK_INNER": 16, "num_warps": 4}),
        ("argmax_ties.py", {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4}),
    ],
)
def test_arg_reductions_return_the_first_of_tied_extremes(name, config):
    """Per-lane accumulators each keep their own first extreme; the fold must
    still return the first row overall, as torch does, in every chunk layout."""
    path = Path(__file__).resolve().parents[1] / "problems" / name
    found = plan(graphs_for([path])[0])
    assert found is not None and found.family == "reduction"
    assert config in config_space(found)
    [result] = verify_many([(path, render(found, config))])
    assert result["outcome"] == "ok", result
