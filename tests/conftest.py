"""Fixtures and Hypothesis profiles shared by the whole test suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from incident_learning import samples
from incident_learning.model import LearningLog

settings.register_profile(
    "dev",
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=100,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def small_log() -> LearningLog:
    """Return a fresh copy of the sample log: one record of every kind."""
    return samples.small_log()
