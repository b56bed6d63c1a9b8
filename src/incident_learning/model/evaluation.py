"""Did it work: effectiveness reviews of actions and staff confidence checks."""

from collections.abc import Iterator
from datetime import date

import attrs

from incident_learning.model.base import (
    PersonalData,
    Record,
    Validated,
    at_least,
    personal,
    refers_to,
)
from incident_learning.model.embedding import EmbeddingRecord
from incident_learning.model.vocab import ReviewVerdict

__all__ = ["EffectivenessReview", "Measurement", "StaffConfidenceCheck"]


@attrs.frozen(kw_only=True)
class Measurement(Validated):
    """A measured value offered as evidence, e.g. falls per 1,000 bed days.

    Attributes:
        name: What was measured.
        value: The value.
        unit: Its unit, if any.
        period_start: First day the value covers, if a period.
        period_end: Last day the value covers.
    """

    name: str
    value: float
    unit: str | None = None
    period_start: date | None = None
    period_end: date | None = None


@attrs.frozen(kw_only=True)
class EffectivenessReview(Record):
    """A review of whether an action worked: the evidence for its status.

    Attributes:
        action: The action reviewed.
        reviewed_on: When.
        reviewer: Who reviewed it.
        verdict: Effective, partly effective or not effective.
        evidence: The evidence, as written.
        measurements: Measured values behind the verdict.

    Examples:
        >>> from incident_learning import samples
        >>> samples.effectiveness_review().verdict
        <ReviewVerdict.EFFECTIVE: 'effective'>
    """

    record_kind = "effectiveness_review"

    action: str = attrs.field(metadata=refers_to("action"))
    reviewed_on: date
    reviewer: str | None = attrs.field(default=None, metadata=refers_to("staff_member"))
    verdict: ReviewVerdict
    evidence: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    measurements: tuple[Measurement, ...] = ()


@attrs.frozen(kw_only=True)
class StaffConfidenceCheck(EmbeddingRecord):
    """A staff group's self-rated confidence on a topic at a date.

    Scores are anonymous self-ratings on a scale of 1 to *scale_max*; checks
    before and after coaching or supervision show whether confidence rose.

    Attributes:
        service: The service whose staff were asked.
        team: The team, if narrower.
        topic: What confidence was asked about.
        checked_on: When.
        scale_max: The top of the rating scale (the bottom is 1).
        scores: Each respondent's rating.

    Examples:
        >>> from incident_learning import samples
        >>> samples.staff_confidence_check().mean_score
        2.5
    """

    record_kind = "staff_confidence_check"

    service: str = attrs.field(metadata=refers_to("service"))
    team: str | None = attrs.field(default=None, metadata=refers_to("team"))
    topic: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    checked_on: date
    scale_max: int = 5
    scores: tuple[int, ...] = attrs.field(metadata=at_least(1))

    @property
    def mean_score(self) -> float:
        """The mean of the scores."""
        return sum(self.scores) / len(self.scores)

    @property
    def respondents(self) -> int:
        """How many staff answered."""
        return len(self.scores)

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if self.scale_max < 2:
            yield "scale_max", self.scale_max, "must be 2 or more"
        for index, score in enumerate(self.scores):
            if not 1 <= score <= self.scale_max:
                yield f"scores[{index}]", score, f"is outside 1 to {self.scale_max}"
