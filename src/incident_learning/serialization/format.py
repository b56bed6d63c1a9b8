"""The versioned file format: JSON documents and JSON Lines.

A JSON document is one object::

    {"format": "incident_learning/1",
     "local_codes": [...],
     "providers": [...], "services": [...], "incidents": [...], ...}

with one list per record kind, named by the kind's plural (see
:data:`SECTIONS`). JSON Lines starts with a header line holding ``format``
and ``local_codes``; every later line is one record with its kind in
``"type"``. Every version of every record is written; fields are written in
declaration order, all of them, so output is deterministic.

A reader refuses a newer major version. Within a major version only
optional fields are added; each major bump comes with a function in
:data:`MIGRATIONS` that lifts a document from the version before.
"""

import contextlib
import importlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import ModuleType
from typing import Any, Final

from incident_learning._collector import collector_paused
from incident_learning.exceptions import (
    InvalidDataError,
    Problem,
    UnsupportedFormatError,
)
from incident_learning.model import RECORD_TYPES, LearningLog, LocalCode, Record
from incident_learning.serialization.converter import (
    problems_of,
    structure_detailed,
    structure_fast,
    unstructure,
    unstructure_line,
    unstructure_native,
)


def _optional_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - exercised by the minimal-install test
        return None


_orjson = _optional_module("orjson")  # the [fast] extra

__all__ = [
    "FORMAT",
    "FORMAT_MAJOR",
    "MIGRATIONS",
    "SECTIONS",
    "dump_json",
    "dump_jsonl",
    "dumps_json",
    "dumps_jsonl",
    "from_document",
    "iter_jsonl",
    "load_json",
    "load_jsonl",
    "loads_json",
    "loads_jsonl",
    "to_document",
]

FORMAT_MAJOR: Final = 1
FORMAT: Final = f"incident_learning/{FORMAT_MAJOR}"
"""The format string this library writes."""

SECTIONS: Final[Mapping[str, type[Record]]] = {
    f"{cls.record_kind}s": cls for cls in RECORD_TYPES
}
"""Each document section (``incidents``, ...) and the record type it holds."""

# Sections and JSON Lines tags are both read off each class's record_kind.
_TYPES_BY_KIND: Final = {cls.record_kind: cls for cls in SECTIONS.values()}
_FORMAT_PATTERN: Final = re.compile(r"incident_learning/([1-9]\d{0,8})", re.ASCII)

MIGRATIONS: Final[Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {}
"""Functions lifting a document from major version *n* to *n + 1*.

Format 1 is the first, so there are none yet; the reader applies them in
turn to any older document before structuring it.
"""


def _loads(data: str | bytes) -> Any:
    if _orjson is not None:
        return _orjson.loads(data)
    return json.loads(data)


def _dumps(data: object, *, indent: bool) -> str:
    if _orjson is not None:
        option = _orjson.OPT_INDENT_2 if indent else 0
        encoded: bytes = _orjson.dumps(data, option=option)
        return encoded.decode()
    return json.dumps(
        data,
        ensure_ascii=False,
        indent=2 if indent else None,
        separators=None if indent else (",", ":"),
    )


def _check_format(header: object, path: str) -> int:
    if not isinstance(header, Mapping):
        raise InvalidDataError(
            [
                Problem(
                    path=path,
                    value=header,
                    message="expected an object with a 'format'",
                )
            ]
        )
    found = header.get("format")
    match = _FORMAT_PATTERN.fullmatch(found) if isinstance(found, str) else None
    if match is None:
        message = (
            f"is missing; expected {FORMAT!r}"
            if found is None
            else f"is {found!r}; expected {FORMAT!r}"
        )
        raise InvalidDataError(
            [Problem(path=path, field="format", value=found, message=message)]
        )
    major = int(match[1])
    if major > FORMAT_MAJOR or major < 1:
        raise UnsupportedFormatError(found, FORMAT)
    return major


def _migrated(document: dict[str, Any], major: int) -> dict[str, Any]:
    for version in range(major, FORMAT_MAJOR):
        document = MIGRATIONS[version](document)  # pragma: no cover - none yet
    return document


class _Reading:
    """What reading one document has found so far: records, their paths, problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.records: list[Record] = []
        self.paths: list[str] = []
        # Ids of records that failed to load: references to them are not
        # dangling, and are not reported a second time.
        self.unloaded: set[str] = set()

    def structure(self, data: object, cls: type[Any], path: str) -> Any:
        """Return *data* as *cls*, or ``None`` with its problems noted."""
        with contextlib.suppress(Exception):  # a failure is re-run in detail below
            return structure_fast(data, cls)
        if not isinstance(data, Mapping):
            message = f"expected an object, found {type(data).__name__}"
            self.problems.append(Problem(path=path, value=data, message=message))
            return None
        self.note_unloaded(data)
        try:
            return structure_detailed(data, cls)
        except (Exception, ExceptionGroup) as error:
            self.problems.extend(p.within(path) for p in problems_of(error, data))
        return None

    def note_unloaded(self, data: Mapping[str, Any]) -> None:
        """Remember the id of a record that will not load."""
        if isinstance(data.get("id"), str):
            self.unloaded.add(data["id"])

    def add(self, data: object, cls: type[Record], path: str) -> None:
        """Structure one record and keep it with its path."""
        record = self.structure(data, cls, path)
        if record is not None:
            self.records.append(record)
            self.paths.append(path)

    def local_codes(self, raw: object, path: str) -> list[LocalCode]:
        """Return the local codes declared in *raw*."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problems.append(
                Problem(path=path, value=raw, message="expected a list")
            )
            return []
        codes = [
            self.structure(item, LocalCode, f"{path}[{index}]")
            for index, item in enumerate(raw)
        ]
        return [code for code in codes if code is not None]

    def log(self, local_codes: list[LocalCode]) -> LearningLog:
        """Return the log of the records read, or raise every problem found."""
        return checked_log(
            self.records,
            local_codes=local_codes,
            paths=self.paths,
            problems=self.problems,
            unloaded=self.unloaded,
        )


def checked_log(
    records: list[Record],
    *,
    local_codes: list[LocalCode],
    paths: list[str],
    problems: list[Problem],
    unloaded: set[str],
) -> LearningLog:
    """Return the log of *records*, or raise *problems* with the log's own.

    A reference to a record in *unloaded* (one that failed to load, and is
    already among *problems*) is not reported again as dangling.
    """
    try:
        log = LearningLog(records, local_codes=local_codes, _paths=paths)
    except InvalidDataError as error:
        problems.extend(
            problem
            for problem in error.problems
            if not (
                isinstance(problem.value, str)
                and problem.value in unloaded
                and problem.message.startswith("refers to")
            )
        )
    if problems:
        raise InvalidDataError(problems)
    return log


def from_document(document: object) -> LearningLog:
    """Build a log from a parsed JSON document (plain dicts and lists).

    Raises:
        InvalidDataError: With every problem in the document.
        UnsupportedFormatError: The document is of a newer major version.

    Examples:
        >>> from incident_learning import samples, serialization
        >>> document = serialization.to_document(samples.small_log())
        >>> document["incidents"][0]["people_affected"][0]["physical_harm"] = "moderat"
        >>> serialization.from_document(document)
        Traceback (most recent call last):
        ...
        incident_learning.exceptions.InvalidDataError: incidents[0] (id INC-0001).people_affected[0].physical_harm: 'moderat' is not one of 'none', 'low', 'moderate', 'severe', 'fatal'
    """
    major = _check_format(document, "")
    assert isinstance(document, dict)  # noqa: S101 - checked above
    document = _migrated(document, major)
    reading = _Reading()
    problems = reading.problems
    local_codes = reading.local_codes(document.get("local_codes"), "local_codes")
    with collector_paused():
        for key, raw in document.items():
            if key in ("format", "local_codes"):
                continue
            cls = SECTIONS.get(key)
            if cls is None:
                message = (
                    f"{key!r} is not a section; sections are {', '.join(SECTIONS)}"
                )
                problems.append(Problem(field=key, message=message))
                continue
            if not isinstance(raw, list):
                problems.append(
                    Problem(path=key, value=raw, message="expected a list of records")
                )
                continue
            for index, item in enumerate(raw):
                reading.add(item, cls, f"{key}[{index}]")
        return reading.log(local_codes)


def to_document(log: LearningLog) -> dict[str, Any]:
    """Return *log* as a JSON-ready document of plain dicts and lists.

    Examples:
        >>> from incident_learning import samples, serialization
        >>> document = serialization.to_document(samples.small_log())
        >>> document["format"], document["incidents"][0]["category"]
        ('incident_learning/1', 'falls')
    """
    return _document(log, unstructure)


def _document(
    log: LearningLog, unstructure_record: Callable[[Record], Any]
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": FORMAT,
        "local_codes": [unstructure(code) for code in log.local_codes],
    }
    for section in SECTIONS:
        document[section] = []
    for record in log.all_versions():
        document[f"{record.record_kind}s"].append(unstructure_record(record))
    return document


def dumps_json(log: LearningLog, *, indent: bool = True) -> str:
    """Return *log* as a JSON document.

    Examples:
        >>> from incident_learning import samples, serialization
        >>> text = serialization.dumps_json(samples.small_log())
        >>> serialization.loads_json(text).get("INC-0001") == samples.incident()
        True
    """
    # orjson gets its native data, which writes floats as the stdlib does.
    native = unstructure if _orjson is None else unstructure_native
    return _dumps(_document(log, native), indent=indent) + "\n"


def loads_json(text: str | bytes) -> LearningLog:
    """Read a log from JSON text.

    Raises:
        InvalidDataError: The text is not JSON, or the document has problems.
    """
    try:
        document = _loads(text)
    except ValueError as error:
        raise InvalidDataError([Problem(message=f"not valid JSON: {error}")]) from None
    return from_document(document)


def dump_json(
    log: LearningLog, path: str | os.PathLike[str], *, indent: bool = True
) -> None:
    """Write *log* to the file *path* as a JSON document."""
    write_atomically(path, dumps_json(log, indent=indent))


def load_json(path: str | os.PathLike[str]) -> LearningLog:
    """Read a log from the JSON document in the file *path*."""
    with open(path, "rb") as file:
        return loads_json(file.read())


def _header(log: LearningLog) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "local_codes": [unstructure(code) for code in log.local_codes],
    }


def _encoded_lines(log: LearningLog) -> Iterator[bytes]:
    yield _dumps(_header(log), indent=False).encode()
    if _orjson is None:
        for record in log.all_versions():
            line = unstructure_line(record, native=False)
            yield json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode()
        return
    encode = _orjson.dumps
    for record in log.all_versions():
        yield encode(unstructure_line(record, native=True))


def iter_jsonl(log: LearningLog) -> Iterator[str]:
    """Yield *log* as JSON Lines, one line (without its newline) at a time.

    Examples:
        >>> from incident_learning import samples, serialization
        >>> next(serialization.iter_jsonl(samples.small_log()))
        '{"format":"incident_learning/1","local_codes":[]}'
    """
    for line in _encoded_lines(log):
        yield line.decode()


def _jsonl_bytes(log: LearningLog) -> bytes:
    # One growing buffer: each encoded line is copied in and freed at once,
    # which is several times faster than keeping them all for a join.
    buffer = bytearray()
    for line in _encoded_lines(log):
        buffer += line
        buffer += b"\n"
    return bytes(buffer)


def dumps_jsonl(log: LearningLog) -> str:
    """Return *log* as JSON Lines: a header line, then one record a line.

    Examples:
        >>> from incident_learning import samples, serialization
        >>> text = serialization.dumps_jsonl(samples.small_log())
        >>> text.splitlines()[0]
        '{"format":"incident_learning/1","local_codes":[]}'
        >>> serialization.loads_jsonl(text).get("ACT-0001") == samples.action()
        True
    """
    return _jsonl_bytes(log).decode()


def loads_jsonl(text: str | bytes) -> LearningLog:
    """Read a log from JSON Lines text.

    Problems are reported by line number (``line 5``), counting from 1.

    Raises:
        InvalidDataError: With every problem found in every line.
        UnsupportedFormatError: The header declares a newer major version.
    """
    # Split bytes, not text: str.splitlines also breaks at U+2028, U+2029 and
    # U+0085, which JSON strings may hold unescaped.
    data = text.encode() if isinstance(text, str) else text
    return _from_lines(data.splitlines())


def _from_lines(lines: Iterable[str | bytes]) -> LearningLog:
    reading = _Reading()
    problems = reading.problems
    iterator = iter(lines)
    header_line = next(iterator, None)
    if header_line is None:
        raise InvalidDataError(
            [
                Problem(
                    path="line 1", message="is missing: expected a header with 'format'"
                )
            ]
        )
    try:
        header = _loads(header_line)
    except ValueError as error:
        raise InvalidDataError(
            [Problem(path="line 1", message=f"not valid JSON: {error}")]
        ) from None
    major = _check_format(header, "line 1")
    if major != FORMAT_MAJOR:  # pragma: no cover - no older majors exist yet
        message = "is older: migrate it as a JSON document first"
        raise InvalidDataError(
            [
                Problem(
                    path="line 1",
                    field="format",
                    value=header["format"],
                    message=message,
                )
            ]
        )
    for key in sorted(set(header) - {"format", "local_codes"}):
        message = (
            f"{key!r} is not a header field; check the spelling, or the file "
            "was written by a newer version of incident_learning"
        )
        problems.append(
            Problem(path="line 1", field=key, value=header[key], message=message)
        )
    local_codes = reading.local_codes(header.get("local_codes"), "line 1.local_codes")
    with collector_paused():
        for number, line in enumerate(iterator, start=2):
            if not line.strip():
                continue
            path = f"line {number}"
            try:
                raw = _loads(line)
            except ValueError as error:
                problems.append(Problem(path=path, message=f"not valid JSON: {error}"))
                continue
            if not isinstance(raw, dict):
                message = f"expected an object, found {type(raw).__name__}"
                problems.append(Problem(path=path, value=raw, message=message))
                continue
            kind = raw.pop("type", None)
            cls = _TYPES_BY_KIND.get(kind) if isinstance(kind, str) else None
            if cls is None:
                reading.note_unloaded(raw)
                message = (
                    f"'type' is {kind!r}; expected one of {', '.join(_TYPES_BY_KIND)}"
                )
                problems.append(
                    Problem(path=path, field="type", value=kind, message=message)
                )
                continue
            reading.add(raw, cls, path)
        return reading.log(local_codes)


def dump_jsonl(log: LearningLog, path: str | os.PathLike[str]) -> None:
    """Write *log* to the file *path* as JSON Lines."""
    write_atomically(path, _jsonl_bytes(log))


def load_jsonl(path: str | os.PathLike[str]) -> LearningLog:
    """Read a log from the JSON Lines file *path*."""
    with open(path, "rb") as file:
        return _from_lines(file.read().splitlines())


def write_atomically(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write *content* to *path* whole or not at all."""
    # Write beside the target and rename, so a crash never leaves half a file.
    target = os.fspath(path)
    temporary = f"{target}.partial"
    data = content.encode() if isinstance(content, str) else content
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, target)
