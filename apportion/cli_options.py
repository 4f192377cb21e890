"""Options every ``apportion`` command that takes them spells the same way (click decorators)."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

#: ``-v``: notes as well as errors and warnings, and a traceback for a job that crashed
verbose_option = click.option("-v", "--verbose", is_flag=True, help="Show notes and tracebacks.")


@contextmanager
def writing(path: Path):
    """An I/O failure while writing ``path`` (disk full, read-only, a path under a file or a folder) as one line
    naming the path, exit 1, instead of a traceback."""
    try:
        yield
    except OSError as exc:
        cannot_write(path, exc)


def cannot_write(path: Path, exc: OSError) -> None:
    """Report an I/O failure as ``Error: cannot write PATH: reason`` (the file the system named, else
    ``path``) and exit 1."""
    click.echo(f"Error: cannot write {exc.filename or path}: {exc.strerror or exc or type(exc).__name__}", err=True)
    sys.exit(1)
