"""Named heuristics keep the GPU busy where the H200 bench showed they did not."""

from kernelwright.agent.generator.heuristics import (
    PROGRAMS_PER_SM,
    device_facts,
    split_count,
)

H200_SMS = 132
H200 = device_facts({"sm_count": H200_SMS, "shared_memory_per_block": 227 * 1024})


def test_full_reduction_is_split_over_every_sm():
    # 10_mean_full_reduction: one output, 32M inputs; 8 programs ran at 0.03× eager.
    assert split_count(1, 4096 * 8192, H200_SMS) >= PROGRAMS_PER_SM * H200_SMS // 2


def test_many_outputs_need_no_split():
    assert split_count(8192, 8192, H200_SMS) == 1


def test_short_rows_are_not_split():
    assert split_count(1, 4096, H200_SMS) == 1


def test_a_few_wide_column_tiles_are_split_along_the_rows():
    """A column mean of [16384, 4096] in 64-column tiles: 64 programs unsplit
    (0.40x eager on an H200); split, every SM has programs, each with rows to read."""
    split = split_count(64, 16384, H200_SMS, block_r=64, block_inner=64)
    assert 64 * split >= 4 * H200_SMS
    assert 16384 // split >= 2 * 64


def test_fp32_matmul_tiles_that_overflow_shared_memory_are_not_proposed():
    """fp32 128x256x64 with 3 stages needs 288 KB of shared memory: a compile_error on
    the H200 that cost searches an evaluation. 16-bit operands need half and stay."""
    from kernelwright.agent.generator.heuristics import fits_shared_memory

    assert not fits_shared_memory(128, 256, 64, 3, "float32", H200)
    assert fits_shared_memory(128, 256, 64, 3, "float16", H200)
    assert fits_shared_memory(128, 128, 64, 3, "float32", H200)  # 192 KB: ran on the H200


def test_vocabulary_softmax_rows_take_one_pass_with_16_warps(tmp_path):
    """fp32 rows up to 32768 elements: one block with 16 warps read 32000- and
    16000-class softmaxes at 97-99% of DRAM bandwidth on an H200, where the online
    kernel (two reads per row) ran 67-70%. A 50257-class row would need 65536 and
    spilled, so it stays online."""
    from pathlib import Path

    from kernelwright.agent.generator import default_config, plan

    from tests.helpers_problems import graphs_for, shrunk_problem

    problem = Path(__file__).resolve().parents[2] / "benchmarks" / "flywheel" / "softmax_a.py"
    paths = []
    for vocab in (32000, 16000, 50257):
        directory = tmp_path / str(vocab)
        directory.mkdir()
        paths.append(shrunk_problem(problem, directory, {"TOKENS": 9, "VOCAB": vocab}))
    device = {"kind": "cuda", "sm_count": H200_SMS}
    configs = [default_config(plan(graph), device) for graph in graphs_for(paths)]
    assert configs[0] == {"passes": "one", "BLOCK_R": 32768, "BLOCK_INNER": 1, "num_warps": 16}
    assert configs[1] == {"passes": "one", "BLOCK_R": 16384, "BLOCK_INNER": 1, "num_warps": 16}
    assert configs[2]["passes"] == "online"


def test_attention_tiles_that_overflow_shared_memory_are_not_proposed():
    """fp32 heads of 128: the three tiles Triton refused on the H200 for shared
    memory are out of the space; those that ran, and head-64 bench winners, stay."""
    from kernelwright.agent.generator.heuristics import attention_fits_shared_memory

    def fits(*tile):
        return attention_fits_shared_memory(*tile, H200)

    assert not fits(128, 64, 2, 128, 128, "float32")  # asked 262144 bytes
    assert not fits(128, 64, 3, 128, 128, "float32")  # 327680
    assert not fits(64, 64, 3, 128, 128, "float32")  # 262144
    for bm, bn, stages in [(64, 64, 2), (128, 32, 2), (64, 32, 3), (32, 32, 2)]:
        assert fits(bm, bn, stages, 128, 128, "float32")  # compiled and ran
    assert fits(128, 64, 3, 64, 64, "float32")  # problems 30 and 32's winners
    assert fits(128, 64, 3, 128, 128, "float16")
