"""Column mappings: which column of another system's CSV feeds which incident field.

A :class:`CsvMapping` names, for each *target* (an incident field, spelt as
the column of the tidy ``incidents.csv``, see :data:`~incident_learning.tabular.mapping.TARGETS`), the
:class:`Source` it is read from: a column, a table translating the labels
found there, a default for blank cells, and for dates a separate time
column. Build one in Python, or write it as TOML and read it with
:func:`load_mapping`::

    zone = "Europe/London"
    ignore = ["Subcategory"]

    [fields.id]
    column = "Incident Ref"

    [fields.category]
    column = "Category"
    values = { "Fall" = "falls", "Medication error" = "medication" }

Two mappings come ready: :data:`~incident_learning.tabular.mapping.TIDY_INCIDENTS` for the library's own
``incidents.csv`` (so a provider can edit it and import it) and
:data:`~incident_learning.tabular.mapping.INCIDENT_SYSTEM` for a typical incident-system export.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from incident_learning.exceptions import InvalidDataError, Problem
from incident_learning.model.incident import Incident
from incident_learning.model.log import LearningLog
from incident_learning.model.organisation import Service
from incident_learning.model.time import LocalTimePolicy
from incident_learning.tabular._csvfile import normalised, write_rows
from incident_learning.tabular.importer import import_incidents
from incident_learning.tabular.tidy import TABLES

__all__ = [
    "INCIDENT_SYSTEM",
    "INCIDENT_SYSTEM_COLUMNS",
    "REQUIRED",
    "TARGETS",
    "TIDY_INCIDENTS",
    "CsvMapping",
    "Source",
    "import_incidents",
    "load_mapping",
    "mapping_from_dict",
    "write_incident_system_csv",
]

_LISTS: Final = (
    "secondary_categories",
    "staff_involved",
    "people_affected_person",
    "people_affected_physical_harm",
    "people_affected_psychological_harm",
)
_PRESENCE: Final = ("cqc_notification", "safeguarding_referral", "duty_of_candour")

TARGETS: Final[tuple[str, ...]] = (
    *TABLES["incidents"],
    *_LISTS,
    *(name for name in _PRESENCE if name not in TABLES["incidents"]),
)
"""Every field a mapping can fill.

The columns of the tidy ``incidents.csv``; ``secondary_categories`` and
``staff_involved`` (several, split on the mapping's *separator*); one person
affected (``people_affected_person`` and their ``..._physical_harm`` and
``..._psychological_harm``); and a yes/no for each optional nested value
(``riddor_report``, ``safeguarding_referral``, ...): yes with its other
fields blank still records it.
"""

REQUIRED: Final = (
    "id",
    "service",
    "category",
    "occurred",
    "reported_at",
    "description",
)
"""Targets a mapping must give a column or a default for."""


def _folded(values: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType({normalised(key): value for key, value in values.items()})


@attrs.frozen(kw_only=True)
class Source:
    """Where one incident field comes from.

    Attributes:
        column: The column's name in the file's header; ``None`` to use the
            default alone.
        values: Labels found in the column and what each means, as the
            field's own text (``{"Moderate harm": "moderate"}``). Labels
            match ignoring case, spaces and underscores; a label meaning
            ``""`` means blank. A cell that is not a label is read as the
            field's own value (a code, ``yes``/``no``, a date).
        otherwise: What a non-blank cell that is not a label means, instead
            of being read itself.
        default: What a blank cell (or no column) means.
        time_column: For a date-and-time field, a separate column with the
            time of day; without a time the field is a date alone.
    """

    column: str | None = None
    values: Mapping[str, str] = attrs.field(factory=dict, converter=_folded)
    otherwise: str | None = None
    default: str | None = None
    time_column: str | None = None


def _proxy(fields: Mapping[str, Source]) -> Mapping[str, Source]:
    return MappingProxyType(dict(fields))


@attrs.frozen(kw_only=True)
class CsvMapping:
    """How another system's CSV export becomes incidents.

    Attributes:
        fields: Each target (see :data:`~incident_learning.tabular.mapping.TARGETS`) and its :class:`Source`.
            Targets left out take the model's default; ``recorded_by`` and
            ``recorded_at`` default to who imports, and when.
        ignore: Columns deliberately not imported (reported as ignored,
            not as unused).
        zone: The zone of times written without an offset.
        local_time_policy: What to do with a local time a clock change
            makes ambiguous or impossible.
        delimiter: The cell separator, ``,`` (``;`` for some European Excel).
        separator: What separates several values in one cell.
        id_prefix: Put before every incident reference to make the id.

    Raises:
        InvalidDataError: A target is unknown, or a required one has no
            column and no default.

    Examples:
        >>> from incident_learning.tabular.mapping import CsvMapping, Source
        >>> CsvMapping(fields={"categori": Source(column="Category")})
        Traceback (most recent call last):
        ...
        incident_learning.exceptions.InvalidDataError: 7 problems found:
          fields.categori: is not a field a mapping can fill; did you mean 'category'?
          fields.id: is required: give a column or a default
          ...
    """

    fields: Mapping[str, Source] = attrs.field(converter=_proxy)
    ignore: tuple[str, ...] = ()
    zone: str = "Europe/London"
    local_time_policy: LocalTimePolicy = LocalTimePolicy.RAISE
    delimiter: str = ","
    separator: str = ";"
    id_prefix: str = ""

    def __attrs_post_init__(self) -> None:
        import difflib  # noqa: PLC0415 - only for the error message

        problems = []
        for target in self.fields:
            if target not in TARGETS:
                near = difflib.get_close_matches(target, TARGETS, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                problems.append(
                    Problem(
                        field=f"fields.{target}",
                        message=f"is not a field a mapping can fill{hint}",
                    )
                )
        for target in REQUIRED:
            source = self.fields.get(target)
            if source is None or (source.column is None and source.default is None):
                problems.append(
                    Problem(
                        field=f"fields.{target}",
                        message="is required: give a column or a default",
                    )
                )
        if problems:
            raise InvalidDataError(problems)

    @property
    def columns(self) -> frozenset[str]:
        """The columns the mapping reads."""
        found: set[str] = set()
        for source in self.fields.values():
            found.update(
                name for name in (source.column, source.time_column) if name is not None
            )
        return frozenset(found)


def load_mapping(path: str | os.PathLike[str]) -> CsvMapping:
    """Read a :class:`CsvMapping` from a TOML file.

    The file holds the mapping's options at the top (``zone``, ``ignore``,
    ``delimiter``, ``separator``, ``id_prefix``, ``local_time_policy``) and
    one ``[fields.<target>]`` table per target with the keys of
    :class:`Source`.

    Raises:
        InvalidDataError: The file is not TOML, or not a mapping (naming
            the key at fault).

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from incident_learning.tabular import load_mapping
        >>> text = '''
        ... [fields.id]
        ... column = "Ref"
        ... [fields.service]
        ... default = "SVC-OAK"
        ... [fields.category]
        ... column = "Type"
        ... values = { "Fall" = "falls" }
        ... [fields.occurred]
        ... column = "Date"
        ... time_column = "Time"
        ... [fields.reported_at]
        ... column = "Date"
        ... [fields.description]
        ... column = "What happened"
        ... '''
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "mapping.toml"
        ...     _ = path.write_text(text)
        ...     mapping = load_mapping(path)
        >>> mapping.fields["category"].values
        mappingproxy({'fall': 'falls'})
    """
    name = Path(path).name
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as error:
        raise InvalidDataError(
            [Problem(path=name, message=f"is not TOML: {error}")]
        ) from None
    return mapping_from_dict(data, name=name)


_SOURCE_KEYS: Final = tuple(field.name for field in attrs.fields(Source))
_OPTION_KEYS: Final = (
    "ignore",
    "zone",
    "local_time_policy",
    "delimiter",
    "separator",
    "id_prefix",
)


def mapping_from_dict(data: Mapping[str, Any], *, name: str = "mapping") -> CsvMapping:
    """Return the mapping that the plain *data* (parsed TOML or JSON) describes.

    Raises:
        InvalidDataError: Naming each key at fault.
    """
    problems = [
        Problem(path=name, field=key, message="is not a mapping option")
        for key in data
        if key not in (*_OPTION_KEYS, "fields")
    ]
    raw_fields = data.get("fields", {})
    fields = {}
    if not isinstance(raw_fields, Mapping):
        problems.append(Problem(path=name, field="fields", message="must be a table"))
        raw_fields = {}
    for target, raw in raw_fields.items():
        where = f"fields.{target}"
        if not isinstance(raw, Mapping):
            problems.append(Problem(path=name, field=where, message="must be a table"))
            continue
        unknown = [key for key in raw if key not in _SOURCE_KEYS]
        for key in unknown:
            message = f"is not a source key; keys are {', '.join(_SOURCE_KEYS)}"
            problems.append(Problem(path=name, field=f"{where}.{key}", message=message))
        bad = [
            key
            for key in _SOURCE_KEYS
            if key in raw
            and not (
                isinstance(raw[key], Mapping)
                and all(isinstance(v, str) for v in raw[key].values())
                if key == "values"
                else isinstance(raw[key], str)
            )
        ]
        for key in bad:
            what = "a table of text" if key == "values" else "text"
            problems.append(
                Problem(
                    path=name,
                    field=f"{where}.{key}",
                    value=raw[key],
                    message=f"must be {what}",
                )
            )
        if not unknown and not bad:
            fields[target] = Source(**raw)
    options: dict[str, Any] = {key: data[key] for key in _OPTION_KEYS if key in data}
    if "ignore" in options:
        ignore = options["ignore"]
        if not (
            isinstance(ignore, list) and all(isinstance(item, str) for item in ignore)
        ):
            problems.append(
                Problem(
                    path=name, field="ignore", message="must be a list of column names"
                )
            )
        options["ignore"] = tuple(ignore) if isinstance(ignore, list) else ()
    if "local_time_policy" in options:
        try:
            options["local_time_policy"] = LocalTimePolicy(options["local_time_policy"])
        except ValueError:
            choices = ", ".join(policy.value for policy in LocalTimePolicy)
            problems.append(
                Problem(
                    path=name,
                    field="local_time_policy",
                    value=options["local_time_policy"],
                    message=f"must be one of {choices}",
                )
            )
    problems.extend(
        Problem(path=name, field=key, value=options[key], message="must be text")
        for key in ("zone", "delimiter", "separator", "id_prefix")
        if key in options and not isinstance(options[key], str)
    )
    if problems:
        raise InvalidDataError(problems)
    try:
        return CsvMapping(fields=fields, **options)
    except InvalidDataError as error:
        raise InvalidDataError(
            problem.within(name) for problem in error.problems
        ) from None


TIDY_INCIDENTS: Final = CsvMapping(
    fields={column: Source(column=column) for column in TABLES["incidents"]},
)
"""The library's own ``incidents.csv`` (see :func:`~incident_learning.tabular.export_csv`).

Each column feeds the field of its name. Export, edit the file (in Excel, if
you like), and import the new rows; the child tables (people affected, staff
involved, secondary categories, Duty of Candour steps) are not read: import
the whole folder with :func:`~incident_learning.tabular.import_folder` for those.
"""

_YES_NO: Final = {"yes": "true", "no": "false", "y": "true", "n": "false"}

INCIDENT_SYSTEM: Final = CsvMapping(
    fields={
        "id": Source(column="Incident Ref"),
        "occurred": Source(column="Incident Date", time_column="Incident Time"),
        "reported_at": Source(column="Date Reported"),
        "service": Source(column="Service/Location"),
        "event_type": Source(
            column="Type",
            values={
                "Incident": "incident",
                "Accident": "incident",
                "Near miss": "incident",
                "Adverse event": "incident",
                "Good practice": "good_care",
                "Compliment": "good_care",
                "Hazard": "risk",
                "Risk": "risk",
                "Outcome": "outcome",
            },
            default="incident",
        ),
        "category": Source(
            column="Category",
            values={
                "Fall": "falls",
                "Slip, trip or fall": "falls",
                "Medication error": "medication",
                "Medication incident": "medication",
                "Behaviour": "behaviour_and_distress",
                "Distressed behaviour": "behaviour_and_distress",
                "Challenging behaviour": "behaviour_and_distress",
                "Safeguarding": "safeguarding_and_abuse",
                "Abuse": "safeguarding_and_abuse",
                "Pressure ulcer": "pressure_ulcers_and_skin_damage",
                "Pressure sore": "pressure_ulcers_and_skin_damage",
                "Skin damage": "pressure_ulcers_and_skin_damage",
                "Absconded": "missing_person",
                "Self harm": "self_harm",
                "Unexplained bruising": "unexplained_injury",
                "Information governance": "information_and_confidentiality",
                "Data breach": "information_and_confidentiality",
                "Aggression": "violence_and_aggression",
                "Violence": "violence_and_aggression",
                "Death": "death",
            },
        ),
        "description": Source(column="Description"),
        "immediate_actions": Source(column="Immediate Action Taken"),
        "reached_person": Source(
            column="Result/Severity",
            values={"Near miss": "false", "Prevented": "false", "No contact": "false"},
            otherwise="true",
            default="true",
        ),
        "people_affected_person": Source(column="Person Affected Ref"),
        "people_affected_physical_harm": Source(
            column="Harm Grading",
            values={
                "No harm": "none",
                "Low harm": "low",
                "Minor harm": "low",
                "Moderate harm": "moderate",
                "Severe harm": "severe",
                "Major harm": "severe",
                "Death": "fatal",
                "Catastrophic": "fatal",
            },
        ),
        "reported_by": Source(column="Reported By"),
        "riddor_report": Source(column="RIDDOR Reportable", values=_YES_NO),
        "safeguarding_referral": Source(column="Safeguarding Referral", values=_YES_NO),
        "safeguarding_referral_local_authority": Source(
            default="not recorded in the source system"
        ),
        "cqc_notification_criterion": Source(
            column="CQC Notified",
            values={
                "No": "",
                "N": "",
                "Death": "death",
                "Serious injury": "serious_injury",
                "Abuse": "abuse_or_allegation",
                "Abuse or allegation": "abuse_or_allegation",
                "Allegation of abuse": "abuse_or_allegation",
                "Police incident": "police_incident",
                "Service disruption": "service_disruption",
                "DoLS": "dols_application",
            },
        ),
        "duty_of_candour_applicable": Source(column="Duty of Candour", values=_YES_NO),
    },
    ignore=("Subcategory",),
)
"""A typical incident-system export, one row per incident.

Columns: ``Incident Ref``, ``Incident Date``, ``Incident Time``,
``Date Reported``, ``Service/Location`` (a service's id or name), ``Type``,
``Category``, ``Subcategory`` (ignored: the library's categories have one
level), ``Description``, ``Immediate Action Taken``, ``Result/Severity``
(``Near miss`` and ``Prevented`` mean it did not reach the person),
``Harm Grading`` (the person's physical harm), ``Person Affected Ref``,
``Reported By`` (a staff id or name), ``RIDDOR Reportable``,
``Safeguarding Referral`` (yes: referred on the date reported, the local
authority "not recorded in the source system"), ``CQC Notified`` (no, or
the criterion: a bare "Yes" is rejected, since the criterion cannot be
guessed) and ``Duty of Candour`` (yes/no: applicable; blank: not assessed).
"""

INCIDENT_SYSTEM_COLUMNS: Final = (
    "Incident Ref",
    "Incident Date",
    "Incident Time",
    "Date Reported",
    "Service/Location",
    "Type",
    "Category",
    "Subcategory",
    "Description",
    "Immediate Action Taken",
    "Result/Severity",
    "Harm Grading",
    "Person Affected Ref",
    "Reported By",
    "RIDDOR Reportable",
    "Safeguarding Referral",
    "CQC Notified",
    "Duty of Candour",
)
"""The header :data:`~incident_learning.tabular.mapping.INCIDENT_SYSTEM` reads."""

_HARM_LABELS: Final = {
    "none": "No harm",
    "low": "Low harm",
    "moderate": "Moderate harm",
    "severe": "Severe harm",
    "fatal": "Death",
}


def _wall_clock(moment: datetime, zone: ZoneInfo) -> tuple[date, str]:
    """Return the day and time of day of *moment* on the clocks of *zone*.

    The time carries its UTC offset (``01:30+00:00``) only where the wall
    time alone would be ambiguous: in the hour the autumn clock change
    repeats. Without it, a reader would have to guess (and the mapping's
    default policy refuses to).
    """
    local = moment.astimezone(zone)
    shown = "%H:%M:%S" if local.second or local.microsecond else "%H:%M"
    clock = local.strftime(shown)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        clock += local.isoformat()[-6:]
    return local.date(), clock


def _system_row(
    incident: Incident, service_names: Mapping[str, str], zone: ZoneInfo
) -> list[str]:
    occurred = incident.occurred
    if isinstance(occurred, datetime):
        day, clock = _wall_clock(occurred, zone)
    else:
        day, clock = occurred, ""
    reported, _ = _wall_clock(incident.reported_at, zone)
    person = incident.people_affected[0] if incident.people_affected else None
    candour = incident.duty_of_candour
    cqc = incident.cqc_notification
    return [
        incident.id,
        day.strftime("%d/%m/%Y"),
        clock,
        reported.strftime("%d/%m/%Y"),
        service_names.get(incident.service, incident.service),
        "Near miss" if incident.is_near_miss else incident.event_type.display,
        incident.category,
        "",
        incident.description,
        incident.immediate_actions or "",
        "Near miss" if not incident.reached_person else "Reached the person",
        _HARM_LABELS[person.physical_harm.value] if person else "",
        person.person if person else "",
        incident.reported_by or "",
        "Yes" if incident.riddor_report is not None else "No",
        "Yes" if incident.safeguarding_referral is not None else "No",
        cqc.criterion.value if cqc is not None else "No",
        "" if candour is None else ("Yes" if candour.applicable else "No"),
    ]


def write_incident_system_csv(
    log: LearningLog, path: str | os.PathLike[str], *, bom: bool = True
) -> Path:
    """Write *log*'s current incidents as a typical incident-system export.

    The columns of :data:`~incident_learning.tabular.mapping.INCIDENT_SYSTEM_COLUMNS`, dates day-first, as such
    systems export them, and times on UK clocks (Europe/London, the zone
    :data:`~incident_learning.tabular.mapping.INCIDENT_SYSTEM` reads them in; the hour the autumn clock change
    repeats is written with its offset, ``01:30+01:00``, so that every time
    reads back as the instant it was): for trying a mapping out, for tests
    and for benchmarks. Only what that layout holds is written (the first person
    affected, their physical harm), so it is not a lossless export: use
    :func:`~incident_learning.tabular.export_csv` for that.

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from incident_learning import samples
        >>> from incident_learning.tabular.mapping import (
        ...     INCIDENT_SYSTEM,
        ...     import_incidents,
        ...     write_incident_system_csv,
        ... )
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = write_incident_system_csv(
        ...         samples.small_log(), Path(folder) / "export.csv"
        ...     )
        ...     result = import_incidents(
        ...         path,
        ...         INCIDENT_SYSTEM,
        ...         into=samples.small_log().with_id_prefix("x"),
        ...         by="importer",
        ...         at=samples.AT,
        ...     )
        >>> result.rejected[0].reason
        "'STAFF-CW1' is not a member of staff of the log (by id or name); nearest: 'x:STAFF-CW1', 'x:STAFF-CW2', 'x:STAFF-RM'"
    """
    names = {
        service_id: service.name for service_id, service in log.of_kind(Service).items()
    }
    zone = ZoneInfo(INCIDENT_SYSTEM.zone)
    rows = (
        _system_row(incident, names, zone)
        for incident in log.of_kind(Incident).values()
    )
    return write_rows(path, INCIDENT_SYSTEM_COLUMNS, rows, bom=bom)
