"""The family registry: every family declares itself whole, once, and sizes tiles by the device."""

from __future__ import annotations

from kernelwright.agent.generator import (
    FAMILIES,
    config_space,
    default_config,
    plan,
    triton_matmul_default,
)
from kernelwright.agent.generator.families import BY_KIND, REGISTERED
from kernelwright.agent.generator.heuristics import DeviceFacts, device_facts

from tests.helpers_problems import PROBLEMS, graphs_for, shrunk_problem

KIB = 1024


def test_every_family_declares_how_it_matches_its_space_default_and_render():
    assert tuple(f.name for f in REGISTERED) == FAMILIES
    for family in REGISTERED:
        assert callable(family.space) and callable(family.default) and callable(family.render)
        # Only pointwise has no core op: plan.py plans a pointwise graph itself.
        assert callable(family.match) == bool(family.kinds), family.name


def test_every_core_op_kind_belongs_to_exactly_one_family():
    claims = [kind for family in REGISTERED for kind in family.kinds]
    assert len(claims) == len(set(claims))
    assert set(BY_KIND) == set(claims)
    assert BY_KIND["linear"].name == "matmul" and BY_KIND["cumsum"].name == "scan"


def _fp16_linear(tmp_path):
    path = shrunk_problem(PROBLEMS / "33_linear_fp16_relu.py", tmp_path)
    return plan(graphs_for([path])[0])


def _pipeline_bytes(config: dict) -> int:
    bm, bn, bk = config["BLOCK_M"], config["BLOCK_N"], config["BLOCK_K"]
    return config["num_stages"] * (bm * bk + bk * bn) * 2  # fp16 A and B tiles


def test_matmul_tiles_fit_the_devices_shared_memory(tmp_path):
    """A GPU with 100 KiB per block never gets a tile that would not compile there,
    and its first Triton candidate is snapped into what fits; an H100/H200's
    227 KiB keeps the tiles measured there (128x256x64 in 3 stages: 144 KiB)."""
    found = _fp16_linear(tmp_path)
    small = {"kind": "cuda", "sm_count": 84, "shared_memory_per_block": 100 * KIB}
    tiles = [c for c in config_space(found, small) if c["impl"] == "triton"]
    assert tiles and all(_pipeline_bytes(c) <= 100 * KIB for c in tiles)
    first_tiles = triton_matmul_default(found, small)
    assert first_tiles in config_space(found, small)
    assert default_config(found, small) in config_space(found, small)

    hopper = {"kind": "cuda", "sm_count": 132, "shared_memory_per_block": 227 * KIB}
    assert config_space(found, hopper) == config_space(found)  # no device: H100/H200 facts
    assert triton_matmul_default(found, hopper)["BLOCK_N"] == 256
    assert first_tiles["BLOCK_N"] < 256


def test_device_facts_fall_back_to_an_h100_where_the_device_does_not_say():
    hopper = DeviceFacts(sm_count=132, shared_memory_per_block=227 * KIB, l2_bytes=50 * KIB * KIB)
    assert device_facts({}) == device_facts(None) == hopper
    assert device_facts({"kind": "cpu", "sm_count": None}) == hopper
    measured = {"sm_count": 108, "shared_memory_per_block": 163 * KIB, "l2_bytes": 40 << 20}
    assert device_facts(measured) == DeviceFacts(108, 163 * KIB, 40 << 20)
