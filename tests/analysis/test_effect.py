"""Tests for incident_learning.analysis.effect: did the targeted incidents change?"""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from tests import loops

from incident_learning import samples
from incident_learning.analysis import (
    ChartKind,
    EffectVerdict,
    Rule,
    action_effect,
)
from incident_learning.exceptions import UnknownRecordError
from incident_learning.graph import build_graph
from incident_learning.model import (
    ActionStatus,
    FactorFramework,
    Record,
    ReviewVerdict,
)

START = date(2024, 1, 1)
EMBEDDED = date(2024, 10, 15)  # month 10: 9 months before, the rest after


def _falls(per_month: list[int], *, category: str = "falls") -> list[Record]:
    """Return falls (or *category*) at Oak House, *per_month[i]* in month i of 2024 on."""
    return list(loops.monthly_incidents(per_month, start=START, category=category))


def _loop(per_month: list[int], *, embedded: date | None = EMBEDDED) -> list[Record]:
    """Return the falls, a learning point and an action on them, embedded on *embedded*."""
    records = _falls(per_month)
    first = records[0].id
    records += [
        loops.learning_point("LP-1", incidents=[first]),
        loops.action("ACT-1", ["LP-1"], (ActionStatus.AGREED, date(2024, 9, 1))),
    ]
    if embedded is not None:
        records.append(loops.training("TRN-1", actions=["ACT-1"], held_on=embedded))
    return records


BEFORE = [6, 5, 7, 6, 6, 5, 7, 6, 6]
"""Nine months at about six falls a month."""


class TestVerdict:
    """The chart's reading after embedding, limits fixed on the months before."""

    def test_improvement(self) -> None:
        """Falls down to one a month after embedding: an improvement, a run below."""
        effect = action_effect(loops.graph_of(*_loop([*BEFORE, 6, *[1] * 8])), "ACT-1")
        assert effect.embedded_on == EMBEDDED
        assert (effect.baseline_periods, effect.after_periods) == (9, 8)
        assert effect.verdict is EffectVerdict.IMPROVEMENT
        # c-bar 6: the lower limit 6 - 3 x sqrt(6) is floored at 0, so one a
        # month is inside it; the run below the centre and two of three fire.
        assert effect.rules == (Rule.RUN, Rule.TWO_OF_THREE)
        assert effect.mean_before == pytest.approx(54 / 9)
        assert effect.mean_after == pytest.approx(1.0)
        assert effect.chart is not None
        assert effect.chart.kind is ChartKind.C
        # The embedding month (October) belongs to neither side.
        assert date(2024, 10, 1) not in {p.label for p in effect.chart.points}
        assert effect.categories == ("falls",)
        assert effect.services == ("SVC-OAK",)

    def test_no_change(self) -> None:
        """The same rate after embedding is no change."""
        effect = action_effect(
            loops.graph_of(*_loop([*BEFORE, 6, *BEFORE[:8]])), "ACT-1"
        )
        assert effect.verdict is EffectVerdict.NO_CHANGE
        assert effect.rules == ()

    def test_concern(self) -> None:
        """Many more falls after embedding is a concern."""
        effect = action_effect(loops.graph_of(*_loop([*BEFORE, 6, *[20] * 3])), "ACT-1")
        assert effect.verdict is EffectVerdict.CONCERN
        assert effect.rules == (Rule.BEYOND_LIMITS, Rule.TWO_OF_THREE)

    def test_the_latest_special_cause_decides(self) -> None:
        """A fall then a rise: the rise, latest, decides."""
        after = [0, 0, 20, 20, 20]
        effect = action_effect(loops.graph_of(*_loop([*BEFORE, 6, *after])), "ACT-1")
        assert effect.verdict is EffectVerdict.CONCERN

    def test_not_embedded(self) -> None:
        """An action nothing carries has no after to read."""
        effect = action_effect(
            loops.graph_of(*_loop([*BEFORE, 6, 1, 1], embedded=None)), "ACT-1"
        )
        assert effect.verdict is EffectVerdict.NOT_EMBEDDED
        assert effect.embedded_on is None
        assert effect.chart is None
        assert (effect.mean_before, effect.mean_after) == (None, None)

    def test_too_little_data(self) -> None:
        """One month after embedding is too little to read."""
        effect = action_effect(loops.graph_of(*_loop([*BEFORE, 6, 1])), "ACT-1")
        assert effect.verdict is EffectVerdict.TOO_LITTLE_DATA
        assert effect.chart is None
        assert effect.after_periods == 1

    def test_until_ends_the_after_side(self) -> None:
        """Months after *until* are left out of the after side."""
        per_month = [*BEFORE, 6, 6, 6, 6, *[1] * 8]
        whole = action_effect(loops.graph_of(*_loop(per_month)), "ACT-1")
        early = action_effect(
            loops.graph_of(*_loop(per_month)), "ACT-1", until=date(2025, 2, 1)
        )
        assert whole.verdict is EffectVerdict.IMPROVEMENT
        assert early.after_periods == 4
        assert early.verdict is EffectVerdict.NO_CHANGE


class TestTarget:
    """What the action watches, and what else happened."""

    def test_other_categories_and_services_are_not_counted(self) -> None:
        """Medication errors at Oak and falls at Elm are not the action's target."""
        records = [
            *_loop([*BEFORE, 6, *[1] * 8]),
            *_falls([9] * 18, category="medication"),
            loops.incident("INC-ELM", day=date(2025, 1, 5), service="SVC-ELM"),
        ]
        effect = action_effect(loops.graph_of(*records), "ACT-1")
        assert effect.series.total == 54 + 6 + 8
        assert effect.verdict is EffectVerdict.IMPROVEMENT

    def test_factor_domains_when_no_incidents_remain(self) -> None:
        """Learning whose incidents are gone from the graph watches its factors' domain."""
        falls = _falls([*BEFORE, 6, *[1] * 8])
        records = [
            *falls,
            loops.incident("INC-GONE", day=date(2024, 1, 2), service="SVC-ELM"),
            loops.factor("CF-1", incidents=["INC-GONE"]),
            loops.factor("CF-9", incidents=[r.id for r in falls]),
            loops.learning_point("LP-1", factors=["CF-1"]),
            loops.action("ACT-1", ["LP-1"], (ActionStatus.AGREED, date(2024, 9, 1))),
            loops.training("TRN-1", actions=["ACT-1"], held_on=EMBEDDED),
        ]
        graph = loops.graph_of(*records)
        graph.remove_node("INC-GONE")  # as if entered in error
        effect = action_effect(graph, "ACT-1")
        assert effect.categories == ()
        assert effect.factor_domains == (
            (FactorFramework.CARE, "staffing_and_workload"),
        )
        assert effect.series.total == len(falls)
        assert effect.verdict is EffectVerdict.IMPROVEMENT

    def test_services_fall_back_to_the_incidents(self) -> None:
        """An action naming no service watches its incidents' services."""
        records = _loop([*BEFORE, 6, *[1] * 8])
        action = loops.action(
            "ACT-1", ["LP-1"], (ActionStatus.AGREED, date(2024, 9, 1)), services=()
        )
        records = [action if r.id == "ACT-1" else r for r in records]
        effect = action_effect(loops.graph_of(*records), "ACT-1")
        assert effect.services == ("SVC-OAK",)

    def test_later_actions_are_listed(self) -> None:
        """Another action on the same falls, embedded later, is listed; one on other incidents is not."""
        records = [
            *_loop([*BEFORE, 6, *[1] * 8]),
            loops.learning_point("LP-2", incidents=["INC-SVC-OAK-falls-11-0"]),
            loops.action("ACT-2", ["LP-2"]),
            loops.training("TRN-2", actions=["ACT-2"], held_on=date(2025, 1, 10)),
            loops.action("ACT-3", ["LP-2"]),
            loops.training("TRN-3", actions=["ACT-3"], held_on=date(2024, 5, 10)),
            loops.action("ACT-4", ["LP-2"]),
            *_falls([1], category="medication"),
            loops.learning_point("LP-3", incidents=["INC-SVC-OAK-medication-00-0"]),
            loops.action("ACT-5", ["LP-3"]),
            loops.training("TRN-5", actions=["ACT-5"], held_on=date(2025, 2, 10)),
        ]
        effect = action_effect(loops.graph_of(*records), "ACT-1")
        assert effect.later_actions == (("ACT-2", date(2025, 1, 10)),)

    def test_rates_with_exposure(self) -> None:
        """With exposure every month, the chart is a u-chart of the rate."""
        records = [
            *_loop([*BEFORE, 6, *[1] * 8]),
            *loops.exposures("SVC-OAK", START, 18),
        ]
        effect = action_effect(loops.graph_of(*records), "ACT-1")
        assert effect.chart is not None
        assert effect.chart.kind is ChartKind.U
        assert effect.mean_before == pytest.approx(54 / 9 / 0.9)
        assert effect.verdict is EffectVerdict.IMPROVEMENT

    def test_a_log_is_accepted(self) -> None:
        """A log is built into a graph first."""
        effect = action_effect(loops.log_of(*_loop([*BEFORE, 6, *[1] * 8])), "ACT-1")
        assert effect.verdict is EffectVerdict.IMPROVEMENT

    def test_unknown_action(self) -> None:
        """An id that is not an action is an UnknownRecordError."""
        with pytest.raises(UnknownRecordError, match="no action"):
            action_effect(loops.graph_of(*_loop(BEFORE)), "LP-1")


class TestEvidence:
    """Reviews and staff confidence beside the numbers."""

    def test_reviews_and_confidence(self) -> None:
        """Reviews oldest first; checks on the action or its learning, oldest first."""
        check = samples.staff_confidence_check()
        records = [
            *_loop([*BEFORE, 6, *[1] * 8]),
            loops.review("REV-2", "ACT-1", reviewed_on=date(2025, 6, 1)),
            loops.review(
                "REV-1",
                "ACT-1",
                reviewed_on=date(2025, 3, 1),
                verdict=ReviewVerdict.PARTLY_EFFECTIVE,
            ),
            attrs.evolve(
                check,
                id="SCC-2",
                checked_on=date(2025, 3, 1),
                scores=(4, 5),
                actions=("ACT-1",),
            ),
            attrs.evolve(
                check,
                id="SCC-1",
                checked_on=date(2024, 9, 1),
                actions=(),
                learning_points=("LP-1",),
            ),
        ]
        effect = action_effect(loops.graph_of(*records), "ACT-1")
        assert effect.reviews == ("REV-1", "REV-2")
        assert effect.latest_review_verdict is ReviewVerdict.EFFECTIVE
        assert [c.check for c in effect.confidence] == ["SCC-1", "SCC-2"]
        assert effect.confidence[0].mean_score == 2.5
        assert effect.confidence[1].respondents == 2
        assert effect.confidence_change == pytest.approx(2.0)

    def test_no_evidence(self) -> None:
        """No reviews and fewer than two checks give no verdict and no change."""
        effect = action_effect(loops.graph_of(*_loop(BEFORE)), "ACT-1")
        assert effect.reviews == ()
        assert effect.latest_review_verdict is None
        assert effect.confidence_change is None

    def test_a_withdrawn_learning_point_is_skipped(self) -> None:
        """Checks are looked for on the learning points still in the graph."""
        graph = loops.graph_of(*_loop(BEFORE))
        graph.remove_node("LP-1")
        assert action_effect(graph, "ACT-1").confidence == ()


class TestExampleStory:
    """The bundled example's story, reproduced."""

    def test_willow_behaviour_falls_after_reflective_practice(self) -> None:
        """Behaviour and distress in supported living falls after monthly reflective practice."""
        effect = action_effect(build_graph(samples.example_log()), "ACT-0004")
        assert effect.services == ("SVC-WILLOW",)
        assert effect.categories == ("behaviour_and_distress",)
        assert effect.verdict is EffectVerdict.IMPROVEMENT
        assert effect.chart is not None
        assert effect.chart.kind is ChartKind.U
        assert effect.mean_after is not None
        assert effect.mean_before is not None
        assert effect.mean_after < effect.mean_before / 2
        assert effect.latest_review_verdict is ReviewVerdict.EFFECTIVE

    def test_home_care_confidence_rises(self) -> None:
        """Home-care staff confidence rises from 2.4 to 4.1 after supervision and coaching."""
        effect = action_effect(build_graph(samples.example_log()), "ACT-0005")
        assert [c.mean_score for c in effect.confidence] == [2.4, 3.3, 4.1]
        assert effect.confidence_change == pytest.approx(1.7)

    def test_found_ineffective_training_shows_no_change_before_the_next_action(
        self,
    ) -> None:
        """Pressure-ulcer training shows no change until the SSKIN bundle came in."""
        graph = build_graph(samples.example_log())
        effect = action_effect(graph, "ACT-0006", until=date(2024, 11, 30))
        assert effect.verdict is EffectVerdict.NO_CHANGE
        assert "ACT-0007" in dict(action_effect(graph, "ACT-0006").later_actions)
