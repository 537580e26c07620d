"""capture_graph: export first, fx fallback, never raises, JSON-serialisable."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers_problems import graphs_for, shrunk_all
from kernelwright.harness.capture import capture_graph


class LinearGelu(nn.Module):
    def __init__(self, features: int, scale: float = 0.5):
        super().__init__()
        self.fc = nn.Linear(features, 3)
        self.register_buffer("shift", torch.zeros(3))
        self.scale = scale

    def forward(self, x):
        return F.gelu(self.fc(x)) * self.scale + self.shift


class DataDependent(nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # export and fx both refuse data-dependent control flow
            return x.relu()
        return x.tanh()


def test_export_capture_describes_ops_params_and_signature():
    graph = capture_graph(LinearGelu(5), [torch.randn(2, 5)])
    json.dumps(graph)
    assert graph["capture"] == "export"
    assert graph["inputs"] == [{"name": "x", "shape": [2, 5], "dtype": "float32"}]
    assert {(p["name"], p["kind"]) for p in graph["params"]} == {
        ("fc.weight", "parameter"),
        ("fc.bias", "parameter"),
        ("shift", "buffer"),
    }
    ops = [n["op"] for n in graph["nodes"]]
    assert ops == ["aten.linear", "aten.gelu", "aten.mul.Tensor", "aten.add.Tensor"]
    linear = graph["nodes"][0]
    assert linear["args"] == [{"ref": "x"}, {"ref": "fc.weight"}, {"ref": "fc.bias"}]
    assert linear["shape"] == [2, 3] and linear["dtype"] == "float32"
    assert graph["outputs"] == [graph["nodes"][-1]["name"]]
    assert [p["name"] for p in graph["model"]["init_params"]] == ["features", "scale"]
    assert graph["model"]["init_params"][1]["default"] == "0.5"


def test_fx_fallback_records_module_attributes(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("export unavailable")

    monkeypatch.setattr(torch.export, "export", refuse)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU())
    graph = capture_graph(model, [torch.randn(1, 3, 9, 9)])
    json.dumps(graph)
    assert graph["capture"] == "fx" and "export unavailable" in graph["export_error"]
    conv = graph["nodes"][0]
    assert conv["op"] == "call_module:Conv2d"
    assert conv["module"]["stride"] == [2, 2] and conv["module"]["padding"] == [1, 1]
    assert conv["module"]["params"] == {"weight": "0.weight", "bias": "0.bias"}
    assert conv["shape"] == [1, 4, 5, 5]


def test_unsupported_model_is_reported_not_raised():
    graph = capture_graph(DataDependent(), [torch.randn(3)])
    json.dumps(graph)
    assert graph["unsupported"]
    assert graph["nodes"] == []


def test_problem_files_capture_in_a_child_process():
    paths = shrunk_all()
    names = ["16_layer_norm.py", "28_conv2d_relu_scale.py", "30_sdpa.py"]
    graphs = graphs_for([paths[n] for n in names])
    for graph in graphs:
        assert graph["capture"] == "export" and "unsupported" not in graph
    ops = {n["op"] for g in graphs for n in g["nodes"]}
    assert {"aten.layer_norm", "aten.conv2d", "aten.scaled_dot_product_attention"} <= ops


_HUGE_PROBLEM = """
import torch
import torch.nn as nn

batch_size = 65536
dim = 65536


class Model(nn.Module):
    def forward(self, x):
        return torch.softmax(x, dim=1) * 2.0


def get_inputs():
    return [torch.randn(batch_size, dim)]  # 16 GiB of fp32: more than this machine holds


def get_init_inputs():
    return []
"""

_NEEDS_VALUES = """
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, x):
        return torch.relu(x) * self.scale


def get_inputs():
    n = int(torch.tensor([5]).item())  # a size read out of a tensor: needs real values
    return [torch.randn(3, n)]


def get_init_inputs():
    return [float(torch.ones(1).sum().item())]
"""


def test_capture_of_a_problem_of_many_gigabytes_allocates_none_of_it(tmp_path):
    import asyncio

    from kernelwright.harness.evaluate import Harness

    path = tmp_path / "huge_softmax.py"
    path.write_text(_HUGE_PROBLEM)
    graph = asyncio.run(Harness().capture(str(path)))
    assert "unsupported" not in graph, graph.get("unsupported")
    assert graph["inputs"][0]["shape"] == [65536, 65536]
    assert "aten.softmax.int" in {n["op"] for n in graph["nodes"]}


def test_capture_of_a_problem_that_reads_tensor_values_falls_back_to_real_tensors(tmp_path):
    import asyncio

    from kernelwright.harness.evaluate import Harness

    path = tmp_path / "needs_values.py"
    path.write_text(_NEEDS_VALUES)
    graph = asyncio.run(Harness().capture(str(path)))
    assert "unsupported" not in graph, graph.get("unsupported")
    assert graph["inputs"][0]["shape"] == [3, 5]


def test_a_problem_is_captured_once_then_served_from_the_store(tmp_path):
    """Issue 15: the reference's graph is captured once per problem; a second search
    of it (Optimize clicked again, bench run again) runs no capture job. An edit to
    the problem is a new problem and is captured afresh."""
    import asyncio

    from kernelwright.harness.evaluate import Harness
    from kernelwright.harness.pool import WorkerPool
    from kernelwright.harness.store import Store

    class CountingPool(WorkerPool):
        jobs = 0

        async def run(self, request, limits):
            CountingPool.jobs += 1
            return await super().run(request, limits)

    problem = tmp_path / "problem.py"
    problem.write_text(
        "import torch\nfrom torch import nn\n\n\nclass Model(nn.Module):\n"
        "    def forward(self, X):\n        return torch.tanh(X) * 2.0\n\n\n"
        "def get_inputs():\n    return [torch.randn(4, 33)]\n\n\n"
        "def get_init_inputs():\n    return []\n"
    )

    async def capture_twice():
        store = Store(tmp_path / "store.sqlite")
        first = await Harness(store=store, pool=CountingPool(parallel=1)).capture(str(problem))
        again = await Harness(store=store, pool=CountingPool(parallel=1)).capture(str(problem))
        problem.write_text(problem.read_text().replace("2.0", "3.0"))
        edited = await Harness(store=store, pool=CountingPool(parallel=1)).capture(str(problem))
        return first, again, edited

    first, again, edited = asyncio.run(capture_twice())
    assert first["capture"] == "export" and again == first
    assert CountingPool.jobs == 2, "the second capture of the same problem ran a job"
    assert edited != first and "3.0" in json.dumps(edited)
