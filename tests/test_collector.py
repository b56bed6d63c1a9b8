"""Tests for the scoped pause of the cyclic garbage collector."""

from __future__ import annotations

import gc

import pytest

from incident_learning import samples
from incident_learning._collector import collector_paused


class TestCollectorPaused:
    def test_the_collector_is_restored_after_an_error(self) -> None:
        """An error inside the block still turns the collector back on."""
        seen: list[bool] = []

        def fail_inside() -> None:
            with collector_paused():
                seen.append(gc.isenabled())
                raise RuntimeError

        assert gc.isenabled()
        with pytest.raises(RuntimeError):
            fail_inside()
        assert seen == [False]
        assert gc.isenabled()

    def test_a_collector_paused_by_the_caller_stays_paused(self) -> None:
        """A host that paused the collector itself finds it still paused."""
        gc.disable()
        try:
            with collector_paused():
                pass
            assert not gc.isenabled()
            samples.generate(10)
            assert not gc.isenabled()
        finally:
            gc.enable()
