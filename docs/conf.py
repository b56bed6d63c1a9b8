"""Sphinx configuration for the incident_learning documentation.

Built with ``sphinx-build -n -W --keep-going -b html docs docs/_build/html``:
nitpicky, and every warning is an error. There is no intersphinx (the build
machines reach only package registries, so ``objects.inv`` cannot be fetched);
outside types that cannot resolve are listed in ``nitpick_ignore_regex``.
"""

from importlib.metadata import version as _distribution_version

# -- Project -----------------------------------------------------------------

project = "incident_learning"
author = "incident_learning contributors"
copyright = "2026, incident_learning contributors"
release = _distribution_version("incident_learning")
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
nitpicky = True

# -- MyST --------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- autodoc and napoleon ----------------------------------------------------

autodoc_member_order = "bysource"
# Types go into the parameter descriptions, and only for documented parameters,
# which keeps signatures short and avoids duplicate entries.
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_class_signature = "separated"
autodoc_preserve_defaults = True

napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_include_init_with_doc = False
# ``Attributes:`` sections become ``:ivar:`` fields, not ``.. attribute::``
# entries, which would clash with autodoc's own entries for the same attributes
# ("duplicate object description", an error under -W).
napoleon_use_ivar = True
napoleon_use_rtype = False

# -- Nitpicky: outside types with no inventory to resolve against -------------

_OUTSIDE_MODULES = (
    "abc",
    "attr",
    "attrs",
    "cattrs",
    "collections",
    "collections.abc",
    "dataclasses",
    "datetime",
    "dateutil",
    "decimal",
    "enum",
    "io",
    "json",
    "jsonschema",
    "msgspec",
    "networkx",
    "nx",
    "orjson",
    "os",
    "pandas",
    "pathlib",
    "pyarrow",
    "re",
    "types",
    "typing",
    "typing_extensions",
    "uuid",
    "zoneinfo",
)
_BUILTINS = (
    "object|type|None|NoneType|bool|int|float|complex|str|bytes|bytearray"
    "|list|tuple|dict|set|frozenset|slice|range|Ellipsis|NotImplemented"
    "|BaseException|Exception|ExceptionGroup|BaseExceptionGroup"
    "|ValueError|KeyError|TypeError|LookupError|IndexError|RuntimeError"
    "|AttributeError|NotImplementedError|OSError|ModuleNotFoundError|ImportError"
)
_OUTSIDE_NAMES = (
    # names commonly written unqualified in annotations and docstrings
    "Any|Self|ClassVar|Final|Literal|TypeAlias|TypeVar|Generic|Protocol"
    "|Callable|Iterable|Iterator|Mapping|MutableMapping|Sequence|Collection"
    "|Set|AbstractSet|Hashable|Generator"
    "|date|datetime|time|timedelta|timezone|tzinfo|relativedelta"
    "|Enum|StrEnum|IntEnum|Path|PathLike|TextIO|BinaryIO|IO|Pattern|Match"
    "|DiGraph|MultiDiGraph|Graph|Converter|Attribute"
)
_modules = "|".join(m.replace(".", r"\.") for m in _OUTSIDE_MODULES)
nitpick_ignore_regex = [
    (r"py:.*", rf"(?:{_modules})(?:\..*)?"),
    (r"py:.*", rf"(?:builtins\.)?(?:{_BUILTINS})"),
    (r"py:.*", rf"(?:{_OUTSIDE_NAMES})(?:\[.*\])?"),
    # private names and type variables of the library itself are not documented
    (r"py:.*", r"incident_learning(?:\.\w+)*\._\w+.*"),
    (r"py:.*", r"_\w+"),
]
nitpick_ignore: list[tuple[str, str]] = [
    ("py:class", "incident_learning.graph.R"),  # a TypeVar of the accessor
]

# -- HTML --------------------------------------------------------------------

html_theme = "furo"
html_title = f"incident_learning {release}"
html_static_path: list[str] = []
