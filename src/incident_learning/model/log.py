"""The aggregate: one provider's learning log, with referential integrity.

A :class:`LearningLog` holds every version of every record of one provider
and the local codes it declares. Built from many records at once it checks
integrity once, in time linear in the records, and reports every problem
together; :meth:`LearningLog.add` checks one record against the log as it
stands, in time proportional to that record's references.
"""

import itertools
from collections.abc import (
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    ValuesView,
)
from typing import Any, Final, TypeVar, overload

import attrs

from incident_learning._html import MAX_ROWS, block, fields, table
from incident_learning.exceptions import InvalidDataError, Problem, UnknownRecordError
from incident_learning.model.action import Action
from incident_learning.model.base import (
    ID_PATTERN,
    IS_ID,
    REFERS_TO,
    Record,
    Reference,
    prefixed_id,
    reference_fields,
    references_resolve,
)
from incident_learning.model.codes import (
    BUILT_IN_VOCABULARIES,
    INCIDENT_CATEGORIES,
    LocalCode,
    factor_vocabulary,
)
from incident_learning.model.embedding import (
    CoachingSession,
    ReflectivePracticeSession,
    ServiceChange,
    SupervisionSession,
    TrainingSession,
)
from incident_learning.model.evaluation import EffectivenessReview, StaffConfidenceCheck
from incident_learning.model.incident import Incident
from incident_learning.model.learning import (
    ContributingFactor,
    LearningPoint,
    LearningResponse,
)
from incident_learning.model.organisation import (
    Provider,
    Service,
    ServiceExposure,
    StaffMember,
    Team,
)
from incident_learning.model.sharing import GovernanceMeeting, LearningShare

__all__ = ["RECORD_TYPES", "LearningLog", "record_type"]

RECORD_TYPES: Final[tuple[type[Record], ...]] = (
    Provider,
    Service,
    Team,
    StaffMember,
    ServiceExposure,
    Incident,
    LearningResponse,
    ContributingFactor,
    LearningPoint,
    Action,
    TrainingSession,
    SupervisionSession,
    ReflectivePracticeSession,
    CoachingSession,
    ServiceChange,
    GovernanceMeeting,
    LearningShare,
    EffectivenessReview,
    StaffConfidenceCheck,
)
"""Every record type, in the order a document lists them (causes first)."""

_BY_KIND: Final[Mapping[str, type[Record]]] = {
    cls.record_kind: cls for cls in RECORD_TYPES
}

R = TypeVar("R", bound=Record)


def record_type(kind: str) -> type[Record]:
    """Return the record class whose ``record_kind`` is *kind*.

    Raises:
        UnknownRecordError: No record type has that kind.

    Examples:
        >>> from incident_learning.model import record_type
        >>> record_type("incident").__name__
        'Incident'
    """
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise UnknownRecordError(kind, "record type") from None


def _as_record(item: object) -> Record:
    """Return *item*, known to be a record (indexed as one)."""
    assert isinstance(item, Record)  # noqa: S101 - only records are indexed
    return item


def _path(paths: Sequence[str] | None, index: int) -> str:
    return paths[index] if paths is not None else f"records[{index}]"


def _article(kinds: tuple[str, ...]) -> str:
    words = " or ".join(kinds)
    return f"an {words}" if words[0] in "aeiou" else f"a {words}"


class _Values(ValuesView[R]):
    """The records of a :class:`KindView`, read at the speed of a dict's values."""

    __slots__ = ()
    _mapping: "KindView[R]"

    def __iter__(self) -> Iterator[R]:
        view = self._mapping
        return map(view._current.__getitem__, view._ids)  # type: ignore[arg-type]


class _Items(ItemsView[str, R]):
    """The identifiers and records of a :class:`KindView`."""

    __slots__ = ()
    _mapping: "KindView[R]"

    def __iter__(self) -> Iterator[tuple[str, R]]:
        view = self._mapping
        records = map(view._current.__getitem__, view._ids)
        return zip(view._ids, records, strict=True)  # type: ignore[arg-type]


class KindView(Mapping[str, R]):
    """A read-only, live view of a log's current records of one kind, by identifier.

    What :meth:`LearningLog.of_kind` returns: a :class:`~collections.abc.Mapping`
    in the order the records were first added, over the log's one index of
    records, so a log holds each record once whatever views are taken.

    Examples:
        >>> from incident_learning import samples
        >>> services = samples.small_log().of_kind(il.Service)
        >>> list(services), services["SVC-OAK"].name, "INC-0001" in services
        (['SVC-OAK'], 'Oak House', False)
        >>> services
        <KindView of 1 service>
    """

    __slots__ = ("_current", "_ids", "_kind")

    def __init__(
        self, current: Mapping[str, Record], ids: Sequence[str], kind: type[R]
    ) -> None:
        self._current = current
        self._ids = ids
        self._kind = kind

    def __getitem__(self, record_id: str) -> R:
        record = self._current[record_id]
        if not isinstance(record, self._kind):
            raise KeyError(record_id)
        return record

    def __contains__(self, record_id: object) -> bool:
        record = self._current.get(record_id)  # type: ignore[call-overload]
        return isinstance(record, self._kind)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def values(self) -> ValuesView[R]:
        """Return the records, in the view's order."""
        return _Values(self)

    def items(self) -> ItemsView[str, R]:
        """Return the (identifier, record) pairs, in the view's order."""
        return _Items(self)

    def __repr__(self) -> str:
        kind = getattr(self._kind, "record_kind", self._kind.__name__)
        return f"<KindView of {len(self._ids)} {str(kind).replace('_', ' ')}>"


class LearningLog:
    """One provider's records: every version, indexed, with integrity checked.

    Args:
        records: Records of any kind, in any order, every version of each.
        local_codes: Codes the provider adds to the built-in vocabularies.

    Raises:
        InvalidDataError: Listing every problem at once: dangling or
            mistyped references (naming record and field), duplicate or
            missing versions, undeclared codes, more than one provider.

    Examples:
        >>> from incident_learning import samples
        >>> log = samples.example_log()
        >>> log.provider.name
        'Oakvale Care Group'
        >>> len(log.of_kind(il.Incident)) > 100
        True
        >>> broken = il.LearningLog([samples.provider(), samples.incident()])
        Traceback (most recent call last):
        ...
        incident_learning.exceptions.InvalidDataError: 3 problems found:
          records[1] (id INC-0001).service: refers to 'SVC-OAK', which is not in the log
          records[1] (id INC-0001).reported_by: refers to 'STAFF-CW1', which is not in the log
          records[1] (id INC-0001).staff_involved[0]: refers to 'STAFF-CW1', which is not in the log
    """

    __slots__ = ("_current", "_earlier", "_kinds", "_local", "_local_codes")

    def __init__(
        self,
        records: Iterable[Record] = (),
        *,
        local_codes: Iterable[LocalCode] = (),
        _paths: Sequence[str] | None = None,
    ) -> None:
        # _paths: where each record sits in a document, for problems; the
        # serialization layer passes it, callers never need to.
        paths = _paths
        self._current: dict[str, Record] = {}
        self._earlier: dict[str, list[Record]] = {}
        # The identifiers of each kind, in the order first added: the records
        # themselves are in _current alone, as one dict per kind beside it
        # would cost a second dict entry per record (about 300 MB at 8M).
        self._kinds: dict[type[Record], list[str]] = {cls: [] for cls in RECORD_TYPES}
        self._local_codes: tuple[LocalCode, ...] = tuple(local_codes)
        problems = self._index_local_codes()
        # Typed as objects: callers in notebooks pass whatever they have, and
        # a non-record is reported like any other problem.
        items: list[object] = list(records)
        problems.extend(self._index_all(items, paths))
        check = self._check
        for index, item in enumerate(items):
            if isinstance(item, Record):
                for problem in check(item):
                    problems.append(problem.within(_path(paths, index)))
        if problems:
            raise InvalidDataError(problems)

    # --- building ----------------------------------------------------------

    def _index_local_codes(self) -> list[Problem]:
        problems: list[Problem] = []
        self._local: dict[str, dict[str, LocalCode]] = {}
        for index, local in enumerate(self._local_codes):
            path = f"local_codes[{index}]"
            vocabulary = BUILT_IN_VOCABULARIES.get(local.vocabulary)
            if vocabulary is None:
                known = ", ".join(sorted(BUILT_IN_VOCABULARIES))
                message = f"{local.vocabulary!r} is not a vocabulary; known: {known}"
                problems.append(
                    Problem(
                        path=path,
                        field="vocabulary",
                        value=local.vocabulary,
                        message=message,
                    )
                )
                continue
            declared = self._local.setdefault(local.vocabulary, {})
            if local.code in vocabulary or local.code in declared:
                message = f"{local.code!r} is already a code of {local.vocabulary}"
                problems.append(
                    Problem(path=path, field="code", value=local.code, message=message)
                )
            if local.nearest not in vocabulary:
                message = (
                    f"{local.nearest!r} is not a built-in code of {local.vocabulary}"
                )
                problems.append(
                    Problem(
                        path=path, field="nearest", value=local.nearest, message=message
                    )
                )
            declared[local.code] = local
        return problems

    def _index_all(
        self, records: list[object], paths: Sequence[str] | None
    ) -> list[Problem]:
        problems: list[Problem] = []
        current = self._current
        # Most ids have one version: index those in one pass, and collect the
        # positions of the few with several for a closer look.
        first_seen: dict[str, int] = {}
        repeated: dict[str, list[int]] = {}
        not_first: list[int] = []
        for index, record in enumerate(records):
            if not isinstance(record, Record):
                message = f"{type(record).__name__} {record!r} is not a record"
                problems.append(
                    Problem(path=_path(paths, index), value=record, message=message)
                )
                continue
            record_id = record.id
            if record_id in first_seen:
                repeated.setdefault(record_id, [first_seen[record_id]]).append(index)
            else:
                first_seen[record_id] = index
                current[record_id] = record
                if record.version != 1:
                    not_first.append(index)
        for index in not_first:
            record = _as_record(records[index])
            if record.id not in repeated:
                message = f"is {record.version} but the log has no earlier version"
                problems.append(
                    Problem(
                        path=_path(paths, index),
                        record_id=record.id,
                        field="version",
                        value=record.version,
                        message=message,
                    )
                )
        for record_id, indexes in repeated.items():
            found = sorted(
                ((_as_record(records[i]), _path(paths, i)) for i in indexes),
                key=lambda pair: pair[0].version,
            )
            problems.extend(self._version_problems(record_id, found))
            current[record_id] = found[-1][0]
            self._earlier[record_id] = [record for record, _ in found[:-1]]
        kinds = self._kinds
        for record_id, record in current.items():
            kinds[type(record)].append(record_id)
        problems.extend(self._provider_problems())
        return problems

    @staticmethod
    def _version_problems(
        record_id: str, found: list[tuple[Record, str]]
    ) -> Iterator[Problem]:
        first, first_path = found[0]
        for record, path in found[1:]:
            if type(record) is not type(first):
                message = (
                    f"is already used by {_article((first.record_kind,))} ({first_path}); "
                    "an id names one record of one kind"
                )
                yield Problem(
                    path=path,
                    record_id=record_id,
                    field="id",
                    value=record_id,
                    message=message,
                )
                return
        versions = [record.version for record, _ in found]
        if versions != list(range(1, len(found) + 1)):
            message = f"versions of {record_id} must run 1, 2, 3, ...; found {versions}"
            record, path = found[-1]
            yield Problem(
                path=path,
                record_id=record_id,
                field="version",
                value=record.version,
                message=message,
            )
            return
        for (before, _), (after, path) in itertools.pairwise(found):
            if after.recorded_at < before.recorded_at:
                message = f"is before version {before.version} was recorded"
                yield Problem(
                    path=path,
                    record_id=record_id,
                    field="recorded_at",
                    value=after.recorded_at,
                    message=message,
                )

    def _provider_problems(self) -> Iterator[Problem]:
        providers = self._kinds[Provider]
        if len(providers) > 1:
            message = f"a log holds one provider; found {sorted(providers)}"
            yield Problem(field="providers", value=sorted(providers), message=message)

    def _check(self, record: Record) -> Iterator[Problem]:
        """Yield the problems of *record*'s references and codes, given the index."""
        current = self._current
        if references_resolve(record, current):
            references: Iterable[Reference] = ()
        else:
            references = reference_fields(record)
        for reference in references:
            target = current.get(reference.target)
            if target is None:
                message = f"refers to {reference.target!r}, which is not in the log"
            elif target.record_kind not in reference.kinds:
                message = (
                    f"refers to {reference.target!r}, a {target.record_kind}, "
                    f"where {_article(reference.kinds)} is needed"
                )
            else:
                continue
            yield Problem(
                record_id=record.id,
                field=reference.field,
                value=reference.target,
                message=message,
            )
        if isinstance(record, Incident):
            for index, code in enumerate(record.categories):
                if not self.has_code(INCIDENT_CATEGORIES.name, code):
                    field = (
                        "category"
                        if index == 0
                        else f"secondary_categories[{index - 1}]"
                    )
                    yield self._undeclared(
                        record, field, code, INCIDENT_CATEGORIES.name
                    )
        elif isinstance(record, ContributingFactor):
            vocabulary = factor_vocabulary(record.framework).name
            if not self.has_code(vocabulary, record.domain):
                yield self._undeclared(record, "domain", record.domain, vocabulary)

    @staticmethod
    def _undeclared(record: Record, field: str, code: str, vocabulary: str) -> Problem:
        message = (
            f"{code!r} is not a code of {vocabulary}: use a built-in code or "
            "declare it in the log's local_codes"
        )
        return Problem(record_id=record.id, field=field, value=code, message=message)

    def add(self, record: Record) -> None:
        """Add *record*, or a new version of a record, checking it against the log.

        The references must already be in the log. The cost is proportional
        to the record's own references, never to the size of the log.

        Raises:
            InvalidDataError: The record is invalid here; the log is unchanged.

        Examples:
            >>> from incident_learning import samples
            >>> log = samples.small_log()
            >>> action = log.get("ACT-0001", il.Action)
            >>> log.add(action.agreed(by="STAFF-RM", at=samples.AT))
            >>> log.get("ACT-0001", il.Action).status
            <ActionStatus.AGREED: 'agreed'>
            >>> len(log.history("ACT-0001"))
            2
        """
        item: object = record
        if not isinstance(item, Record):
            message = f"{type(item).__name__} {item!r} is not a record"
            raise InvalidDataError([Problem(value=item, message=message)])
        previous = self._current.get(record.id)
        problems: list[Problem] = []
        if previous is None and record.version != 1:
            message = f"is {record.version} but the log has no earlier version"
            problems.append(
                Problem(
                    record_id=record.id,
                    field="version",
                    value=record.version,
                    message=message,
                )
            )
        elif previous is not None and type(previous) is not type(record):
            message = (
                f"is already used by {_article((previous.record_kind,))}; "
                "an id names one record of one kind"
            )
            problems.append(
                Problem(
                    record_id=record.id, field="id", value=record.id, message=message
                )
            )
        elif previous is not None and record.version != previous.version + 1:
            message = f"is {record.version}; the next version is {previous.version + 1}"
            problems.append(
                Problem(
                    record_id=record.id,
                    field="version",
                    value=record.version,
                    message=message,
                )
            )
        elif previous is not None and record.recorded_at < previous.recorded_at:
            message = f"is before version {previous.version} was recorded"
            problems.append(
                Problem(
                    record_id=record.id,
                    field="recorded_at",
                    value=record.recorded_at,
                    message=message,
                )
            )
        if isinstance(record, Provider) and previous is None and self._kinds[Provider]:
            message = "a log holds one provider"
            problems.append(
                Problem(
                    record_id=record.id, field="id", value=record.id, message=message
                )
            )
        problems.extend(self._check(record))
        if problems:
            raise InvalidDataError(problems)
        if previous is not None:
            self._earlier.setdefault(record.id, []).append(previous)
        else:
            self._kinds[type(record)].append(record.id)
        self._current[record.id] = record

    # --- reading -----------------------------------------------------------

    @property
    def provider(self) -> Provider:
        """The provider whose log this is.

        Raises:
            UnknownRecordError: The log has no provider yet.
        """
        for provider_id in self._kinds[Provider]:
            return self._current[provider_id]  # type: ignore[return-value]
        nobody = ""
        raise UnknownRecordError(nobody, "provider")

    @property
    def local_codes(self) -> tuple[LocalCode, ...]:
        """The local codes the log declares."""
        return self._local_codes

    def has_code(self, vocabulary: str, code: str) -> bool:
        """Return whether *code* is built into *vocabulary* or declared locally.

        Examples:
            >>> from incident_learning import samples
            >>> samples.small_log().has_code("incident_category", "falls")
            True
        """
        built_in = BUILT_IN_VOCABULARIES.get(vocabulary)
        if built_in is None:
            raise UnknownRecordError(vocabulary, "vocabulary")
        return code in built_in or code in self._local.get(vocabulary, {})

    @overload
    def get(self, record_id: str) -> Record: ...
    @overload
    def get(self, record_id: str, kind: type[R]) -> R: ...
    def get(self, record_id: str, kind: type[Record] = Record) -> Record:
        """Return the current version of the record *record_id*.

        Args:
            record_id: The identifier.
            kind: The record class expected; a record of another class is
                reported as unknown.

        Raises:
            UnknownRecordError: No record of *kind* has the identifier.

        Examples:
            >>> from incident_learning import samples
            >>> samples.small_log().get("INC-0001", il.Incident).category
            'falls'
        """
        record = self._current.get(record_id)
        if record is None or not isinstance(record, kind):
            raise UnknownRecordError(
                record_id, None if kind is Record else kind.record_kind
            )
        return record

    def history(self, record_id: str) -> tuple[Record, ...]:
        """Return every version of the record *record_id*, oldest first.

        Raises:
            UnknownRecordError: No record has the identifier.
        """
        current = self.get(record_id)
        return (*self._earlier.get(record_id, ()), current)

    def of_kind(self, kind: type[R]) -> Mapping[str, R]:
        """Return a read-only view of the current records of *kind* by identifier.

        Records withdrawn as entered in error are included; see :meth:`active`.

        Examples:
            >>> from incident_learning import samples
            >>> sorted(samples.small_log().of_kind(il.Service))
            ['SVC-OAK']
            >>> sorted(samples.small_log().of_kind(il.model.EmbeddingRecord))[:3]
            ['CHG-0001', 'COA-0001', 'RPS-0001']
        """
        ids = self._kinds.get(kind)
        if ids is None:
            # A base class (EmbeddingRecord, Record): gather its subclasses.
            ids = [
                record_id
                for cls, of_cls in self._kinds.items()
                if issubclass(cls, kind)
                for record_id in of_cls
            ]
        return KindView(self._current, ids, kind)

    def active(self, kind: type[R]) -> tuple[R, ...]:
        """Return the current records of *kind* not withdrawn as entered in error.

        Examples:
            >>> from incident_learning import samples
            >>> [incident.id for incident in samples.small_log().active(il.Incident)]
            ['INC-0001']
        """
        return tuple(
            record
            for record in self.of_kind(kind).values()
            if not record.entered_in_error
        )

    def all_versions(self) -> Iterator[Record]:
        """Yield every version of every record: by kind, then id, oldest first.

        The order depends only on the records, never on the order they were
        added in, so the same records always write the same file.
        """
        earlier = self._earlier
        current = self._current
        for ids in self._kinds.values():
            for record_id in sorted(ids):
                yield from earlier.get(record_id, ())
                yield current[record_id]

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._current

    def __iter__(self) -> Iterator[Record]:
        get = self._current.__getitem__
        for ids in self._kinds.values():
            yield from map(get, ids)

    def __len__(self) -> int:
        return len(self._current)

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{cls.record_kind}={len(records)}"
            for cls, records in self._kinds.items()
            if records
        )
        return f"<LearningLog {counts}>"

    def _repr_html_(self, *, max_rows: int = MAX_ROWS) -> str:
        """Return the log as HTML for notebooks: provider, records by kind, versions.

        Counted from the indexes, never by reading the records, so a log of
        a million incidents shows at once.

        Args:
            max_rows: The most record kinds listed.

        Examples:
            >>> from incident_learning import samples
            >>> html = samples.example_log()._repr_html_()
            >>> "<caption>LearningLog: Oakvale Care Group</caption>" in html
            True
            >>> "<tr><td>incident</td><td>969</td><td>2</td></tr>" in html
            True
        """
        earlier: dict[type[Record], int] = {}
        for record_id, versions in self._earlier.items():
            cls = type(self._current[record_id])
            earlier[cls] = earlier.get(cls, 0) + len(versions)
        kinds = [
            (cls.record_kind, len(records), earlier.get(cls, 0))
            for cls, records in self._kinds.items()
            if records
        ]
        provider_id = next(iter(self._kinds[Provider]), None)
        provider = None if provider_id is None else self._current[provider_id]
        name = provider.name if isinstance(provider, Provider) else "(no provider)"
        current = len(self._current)
        summary = [
            ("provider", None if provider is None else f"{name} ({provider.id})"),
            ("current records", current),
            ("record versions", current + sum(earlier.values())),
            ("local codes", len(self._local_codes)),
        ]
        return block(
            "log",
            fields(f"LearningLog: {name}", summary),
            table(
                "Records by kind",
                ["kind", "current", "earlier versions"],
                kinds,
                lambda row: row,
                max_rows=max_rows,
            ),
        )

    def with_id_prefix(self, prefix: str) -> "LearningLog":
        """Return a copy of this log with every identifier prefixed, for merging.

        Record identifiers, references and the pseudonymous references of
        people supported are prefixed, so two providers' ``P-0017`` stay two
        people. Who recorded each version (a user reference of the source
        system) is kept as it is.

        Examples:
            >>> from incident_learning import samples
            >>> prefixed = samples.small_log().with_id_prefix("oakvale")
            >>> prefixed.get("oakvale:INC-0001", il.Incident).service
            'oakvale:SVC-OAK'

        Raises:
            InvalidDataError: *prefix* does not make identifiers, or makes
                some longer than 128 characters (each named).
        """
        if not ID_PATTERN.fullmatch(prefixed_id(prefix, "x")):
            message = f"{prefix!r} is not an identifier prefix (letters, digits, . _ -)"
            raise InvalidDataError(
                [Problem(field="prefix", value=prefix, message=message)]
            )
        return LearningLog(
            (_prefixed(record, prefix) for record in self.all_versions()),
            local_codes=self._local_codes,
        )


def _prefixed(record: Any, prefix: str) -> Any:
    changes: dict[str, object] = {}
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        if value is None:
            continue
        if field.metadata.get(REFERS_TO) or field.metadata.get(IS_ID):
            if isinstance(value, tuple):
                changes[field.name] = tuple(prefixed_id(prefix, item) for item in value)
            else:
                changes[field.name] = prefixed_id(prefix, value)
        elif isinstance(value, tuple) and value and attrs.has(type(value[0])):
            changes[field.name] = tuple(_prefixed(item, prefix) for item in value)
        elif attrs.has(type(value)):
            changes[field.name] = _prefixed(value, prefix)
    return attrs.evolve(record, **changes) if changes else record
