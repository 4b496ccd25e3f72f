"""The project's exceptions. User errors say what, where, and how to fix, in French."""

from __future__ import annotations


class ListeningError(Exception):
    """Root of every error the library raises on purpose."""


class InputError(ListeningError, ValueError):
    """A file or value a user gave cannot be used. `source` and `line` say where."""

    def __init__(self, message: str, source: str | None = None, line: int | None = None):
        self.source = source
        self.line = line
        self.reason = message
        where = source or ""
        if source and line is not None:
            where = f"{source}, ligne {line}"
        super().__init__(f"{where} : {message}" if where else message)


class CodebookError(InputError):
    """A codebook does not validate. `code` names the offending code when known."""

    def __init__(self, message: str, source: str | None = None, line: int | None = None,
                 code: str | None = None):
        self.code = code
        if code:
            message = f"code « {code} » : {message}"
        super().__init__(message, source, line)


class ProjectError(ListeningError):
    """A project folder is missing, locked, or from a newer version."""


class MissingDependencyError(ListeningError, ImportError):
    """An optional dependency is needed; the message gives the install command."""
