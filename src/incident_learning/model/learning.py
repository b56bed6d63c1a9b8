"""What was learned: learning responses, contributing factors, learning points."""

from collections.abc import Iterator
from datetime import date

import attrs

from incident_learning.model.base import (
    PersonalData,
    Record,
    personal,
    refers_to,
)
from incident_learning.model.vocab import FactorFramework, LearningScope, ResponseMethod

__all__ = ["ContributingFactor", "LearningPoint", "LearningResponse"]


@attrs.frozen(kw_only=True)
class LearningResponse(Record):
    """A look into one incident or a cluster of them, by a PSIRF or local method.

    Attributes:
        method: How the learning response was done.
        incidents: The incidents it covers: one, or a cluster.
        started_on: When it began.
        completed_on: When it finished; ``None`` while under way.
        lead: Who led it.
        participants: Who took part.
        findings: What it found, as written.

    Examples:
        >>> from incident_learning import samples
        >>> samples.learning_response().method
        <ResponseMethod.AFTER_ACTION_REVIEW: 'after_action_review'>
    """

    record_kind = "learning_response"

    method: ResponseMethod
    incidents: tuple[str, ...] = attrs.field(
        metadata=refers_to("incident", min_items=1)
    )
    started_on: date
    completed_on: date | None = None
    lead: str | None = attrs.field(default=None, metadata=refers_to("staff_member"))
    participants: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("staff_member")
    )
    findings: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if self.completed_on is not None and self.completed_on < self.started_on:
            yield "completed_on", self.completed_on, "is before started_on"


@attrs.frozen(kw_only=True)
class ContributingFactor(Record):
    """Something that contributed to an incident, coded in a factor framework.

    Attributes:
        framework: The framework the domain is coded in (``care`` by default).
        domain: A domain code of that framework, or a local code the log declares.
        description: The factor as written.
        response: The learning response that found it, if one did.
        incidents: The incidents it contributed to.

    Examples:
        >>> from incident_learning import samples
        >>> factor = samples.contributing_factor()
        >>> factor.framework, factor.domain
        (<FactorFramework.CARE: 'care'>, 'staffing_and_workload')
    """

    record_kind = "contributing_factor"

    framework: FactorFramework = FactorFramework.CARE
    domain: str
    description: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    response: str | None = attrs.field(
        default=None, metadata=refers_to("learning_response")
    )
    incidents: tuple[str, ...] = attrs.field(default=(), metadata=refers_to("incident"))

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if self.response is None and not self.incidents:
            yield (
                "incidents",
                (),
                "is empty and there is no response: say where the factor was found",
            )


@attrs.frozen(kw_only=True)
class LearningPoint(Record):
    """A lesson drawn from factors, incidents or learning responses.

    Attributes:
        statement: The learning, as a sentence staff can act on.
        factors: The contributing factors it derives from.
        incidents: The incidents it derives from.
        responses: The learning responses it derives from.
        scope: How far it reaches: one service, the organisation, the system.
        service: The service, for service-scoped learning.

    Examples:
        >>> from incident_learning import samples
        >>> samples.learning_point().scope
        <LearningScope.ORGANISATION: 'organisation'>
    """

    record_kind = "learning_point"

    statement: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    factors: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("contributing_factor")
    )
    incidents: tuple[str, ...] = attrs.field(default=(), metadata=refers_to("incident"))
    responses: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("learning_response")
    )
    scope: LearningScope = LearningScope.SERVICE
    service: str | None = attrs.field(default=None, metadata=refers_to("service"))

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if not (self.factors or self.incidents or self.responses):
            yield (
                "factors",
                (),
                "is empty and so are incidents and responses: say what the learning derives from",
            )
        if self.scope is LearningScope.SERVICE and self.service is None:
            yield "service", None, "is required for service-scoped learning"
