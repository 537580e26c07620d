"""The persisting-L2 carve-out is emptied before timing, and one a candidate set is seen."""

from __future__ import annotations

from kernelwright.harness.persisting_l2 import CU_LIMIT_PERSISTING_L2_CACHE_SIZE, PersistingL2


class FakeDriver:
    """The three driver calls, over one context's limit and its persisting lines."""

    def __init__(self, limit: int = 0) -> None:
        self.limit, self.lines_reset = limit, 0

    def cuCtxSetLimit(self, which, value):  # noqa: N802 - the driver's own name
        assert which == CU_LIMIT_PERSISTING_L2_CACHE_SIZE
        self.limit = value.value
        return 0

    def cuCtxGetLimit(self, pointer, which):  # noqa: N802
        assert which == CU_LIMIT_PERSISTING_L2_CACHE_SIZE
        pointer._obj.value = self.limit
        return 0

    def cuCtxResetPersistingL2Cache(self):  # noqa: N802
        self.lines_reset += 1
        return 0


def test_timing_starts_with_no_carve_out_and_no_persisting_lines():
    driver = FakeDriver(limit=8 << 20)  # left by an earlier call in this context
    l2 = PersistingL2(driver)
    assert l2.empty() and driver.limit == 0 and driver.lines_reset == 1
    assert l2.carve_out() == 0


def test_a_carve_out_set_during_timing_is_reported():
    driver = FakeDriver()
    l2 = PersistingL2(driver)
    l2.empty()
    driver.cuCtxSetLimit(CU_LIMIT_PERSISTING_L2_CACHE_SIZE, type("V", (), {"value": 4 << 20}))
    assert l2.carve_out() == 4 << 20


def test_without_a_driver_nothing_is_claimed():
    l2 = PersistingL2(driver=None)
    l2._driver = None  # as on a machine without libcuda
    assert not l2.available and not l2.empty() and l2.carve_out() is None
