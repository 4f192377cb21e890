"""Options every ``apportion`` command that takes them spells the same way (click decorators), and what the
shared ``-v`` shows.

Every command that reports — run, validate, compare, mail, watch — takes :data:`verbose_option`: without it a
command says what it did and what went wrong; with it, also the detail behind that (notes, tracebacks, the line
of each district or message).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

#: ``-v``: notes as well as errors and warnings, a traceback for a job that crashed, a line per district or message
verbose_option = click.option("-v", "--verbose", is_flag=True,
                              help="Show the detail: notes, tracebacks, a line per district or message.")


def echo_issues(issues, verbose: bool) -> None:
    """Issues grouped by file and sheet, indented under their job; notes only with ``-v``."""
    from .errors import grouped_lines
    for line in grouped_lines(issues, notes=verbose):
        click.echo(f"  {line}")


def _limits(ctx, param, pairs: tuple[str, ...]):
    from .limits import limits_from_environment
    try:
        return limits_from_environment(pairs)
    except ValueError as exc:
        raise click.BadParameter(f"{exc} (from --limit or APPORTION_LIMITS)", param_hint="--limit") from None


#: ``--limit NAME=N``: raise (or lower) one of the reader's size limits for this run, over ``APPORTION_LIMITS``
limit_option = click.option(
    "--limit", "limits", multiple=True, metavar="NAME=N", callback=_limits,
    help="Set a size limit for this run (repeatable), e.g. --limit rows=8000000; also from the environment "
         "variable APPORTION_LIMITS=\"rows=8000000,file-bytes=500000000\". Names and defaults: docs/formats.md, Limits.")


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
    click.echo(f"Error: cannot write {exc.filename or path}: {exc.strerror or str(exc) or type(exc).__name__}", err=True)
    sys.exit(1)
