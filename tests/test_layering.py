"""Dependencies point inward: the model and the exceptions stay free of the edges."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import incident_learning

PACKAGE = Path(incident_learning.__file__).parent
MODEL_MODULES = sorted((PACKAGE / "model").glob("*.py"))
CORE_ROOTS = frozenset(
    {"attrs", "cattrs", "dateutil", "networkx", "incident_learning", "orjson"}
)
"""What the core may import besides the stdlib: orjson, of [fast], only inside
functions that run once it is found installed (see the module-level test)."""
EXTRA_MODULES = frozenset({"report", "frames.py"})
"""The modules of the [report] and [dataframe] extras."""


def _imports(path: Path) -> set[str]:
    """Return every module *path* imports, absolute and relative, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


class TestLayering:
    """The AST of each module shows what it depends on."""

    def test_model_modules_are_found(self) -> None:
        """The check sees every model module, __init__ included."""
        assert {path.name for path in MODEL_MODULES} >= {
            "__init__.py",
            "base.py",
            "log.py",
        }

    @pytest.mark.parametrize("path", MODEL_MODULES, ids=lambda path: path.name)
    def test_model_imports_neither_networkx_nor_cattrs(self, path: Path) -> None:
        """No model module imports networkx or cattrs."""
        roots = {name.split(".")[0] for name in _imports(path)}
        assert not roots & {"networkx", "cattrs"}

    @pytest.mark.parametrize("path", MODEL_MODULES, ids=lambda path: path.name)
    def test_model_imports_nothing_from_outer_layers(self, path: Path) -> None:
        """A model module imports only the model, the exceptions and leaf helpers."""
        for name in _imports(path):
            if name.startswith("incident_learning"):
                assert name.startswith(
                    (
                        "incident_learning.model",
                        "incident_learning.exceptions",
                        "incident_learning._codegen",
                        "incident_learning._html",
                    )
                )
            assert not name.startswith("..")

    def test_leaf_helpers_import_nothing_from_the_package(self) -> None:
        """_codegen, _collector and _html, which the model may use, import nothing from the package."""
        for name in ("_codegen.py", "_collector.py", "_html.py"):
            names = _imports(PACKAGE / name)
            assert not any(n.startswith(("incident_learning", ".")) for n in names)

    def test_exceptions_import_nothing_from_the_package(self) -> None:
        """exceptions.py imports nothing from incident_learning."""
        names = _imports(PACKAGE / "exceptions.py")
        assert not any(n.startswith(("incident_learning", ".")) for n in names)

    @pytest.mark.parametrize(
        "path",
        [
            path
            for path in sorted(PACKAGE.rglob("*.py"))
            if path.relative_to(PACKAGE).parts[0] not in EXTRA_MODULES
        ],
        ids=lambda path: str(path.relative_to(PACKAGE)),
    )
    def test_the_core_needs_only_the_core_dependencies(self, path: Path) -> None:
        """Outside the extras' modules, only the stdlib and the four core libraries are imported."""
        roots = {name.split(".")[0] for name in _imports(path) if name[:1] != "."}
        assert roots <= CORE_ROOTS | sys.stdlib_module_names

    def test_no_module_of_the_core_imports_orjson_when_loaded(self) -> None:
        """orjson is optional: no module imports it at its top level."""
        for path in PACKAGE.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            top = [node for node in tree.body if isinstance(node, ast.Import)]
            assert all(
                alias.name != "orjson" for node in top for alias in node.names
            ), path

    def test_detector_sees_imports(self, tmp_path: Path) -> None:
        """The import detector finds plain, from and relative imports."""
        source = "import a.b\nfrom c import d\nfrom . import e\nfrom ..f import g\n"
        probe = tmp_path / "probe.py"
        probe.write_text(source, encoding="utf-8")
        assert _imports(probe) == {"a.b", "c", ".", "..f"}
