"""Reading and writing the versioned ``incident_learning/1`` format.

See :mod:`incident_learning.serialization.format` for the document layout
and :mod:`incident_learning.serialization.schema` for its JSON Schema.
"""

from incident_learning.serialization.format import (
    FORMAT,
    FORMAT_MAJOR,
    MIGRATIONS,
    SECTIONS,
    dump_json,
    dump_jsonl,
    dumps_json,
    dumps_jsonl,
    from_document,
    iter_jsonl,
    load_json,
    load_jsonl,
    loads_json,
    loads_jsonl,
    to_document,
)

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
