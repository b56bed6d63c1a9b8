"""Analyses over a learning log or its graph.

Each analysis takes its subject first and options keyword-only, returns an
immutable, sorted, typed result and never changes its input.
"""

from incident_learning.analysis.summary import LogSummary, log_summary

__all__ = ["LogSummary", "log_summary"]
