"""Errors a user can cause, carrying the file and the record at fault.

The CLI and the workflow scripts turn them into one clear line; tracebacks go to the log only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class InputError(Exception):
    """Bad input: names the file, the line or record, what is wrong and what to do."""

    # The family an error concerns, set where one job serves several families, so that the
    # message goes to that family's log only (cmmvar.scripting.run_logged_families).
    family: str | None = None

    def __init__(self, message: str, *, path=None, line: int | None = None,
                 record: str | None = None, hint: str | None = None):
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.record = record
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.path or ""
        if self.line is not None:
            where += f", line {self.line}"
        if self.record:
            where += f", record {self.record}" if where else f"record {self.record}"
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


@contextmanager
def about_family(family_id: str) -> Iterator[None]:
    """Tag a user error raised inside with the family it concerns (unless already tagged)."""
    try:
        yield
    except InputError as exc:
        exc.family = exc.family or family_id
        raise


class PedigreeError(InputError):
    """A PED file or family structure that cannot be used."""


class VcfError(InputError):
    """A VCF/BCF that cannot be read or does not fit the analysis."""


class PanelError(InputError):
    """A gene panel row that is missing or malformed."""


class ConfigError(InputError):
    """A configuration key or families sheet entry of the wrong type or value."""


class BuildMismatchError(VcfError):
    """A file whose contigs belong to another genome build than the configured one."""
