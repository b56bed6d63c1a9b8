"""HL7 FHIR R5: incidents as AdverseEvents in a Bundle, written and read back.

The core is the standard library only: the output is plain JSON-ready dicts
(``fhir.resources`` only checks them, in the tests). See ``docs/fhir.md`` for
the mapping tables.
"""

from incident_learning.fhir._export import (
    Profile,
    dumps_fhir_json,
    to_adverse_event,
    to_fhir_bundle,
)
from incident_learning.fhir._import import FhirImport, from_fhir, loads_fhir_json
from incident_learning.fhir._shared import BASE, RECORD_EXTENSION

__all__ = [
    "BASE",
    "RECORD_EXTENSION",
    "FhirImport",
    "Profile",
    "dumps_fhir_json",
    "from_fhir",
    "loads_fhir_json",
    "to_adverse_event",
    "to_fhir_bundle",
]
