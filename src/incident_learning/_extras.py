"""The error an optional extra raises when a library it needs is missing."""

from __future__ import annotations

__all__ = ["missing_extra"]


def missing_extra(
    error: ModuleNotFoundError, *, extra: str, what: str
) -> ModuleNotFoundError:
    """Return *error* restated with the line that installs *extra*.

    Modules of an extra import its libraries in a ``try`` and raise this
    from the ``ModuleNotFoundError``, so the user reads what to install.

    Args:
        error: The failed import.
        extra: The extra's name, as in ``incident_learning[extra]``.
        what: What needs the library, as the start of the message.

    Examples:
        >>> from incident_learning._extras import missing_extra
        >>> try:
        ...     import not_a_module_here
        ... except ModuleNotFoundError as error:
        ...     print(missing_extra(error, extra="report", what="the learning report"))
        the learning report needs not_a_module_here, which is not installed: install "incident_learning[report]"
    """
    message = (
        f"{what} needs {error.name}, which is not installed: "
        f'install "incident_learning[{extra}]"'
    )
    return ModuleNotFoundError(message, name=error.name)
