"""Validation errors that say where a bad record is."""

from __future__ import annotations


class DataValidationError(ValueError):
    """A record failed validation; names the file, the line (or row) and the field."""

    def __init__(self, source: str, line: int | None, field: str | None, message: str) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.message = message
        where = source if line is None else f"{source}:{line}"
        what = f"field {field!r}: " if field else ""
        super().__init__(f"{where}: {what}{message}")
