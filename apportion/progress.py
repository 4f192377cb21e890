"""Batch progress: a progress bar on a terminal, one plain line per job otherwise, then a closing table."""
from __future__ import annotations

import sys

import click

from .runner import Outcome
from .writers.text import visible


class Progress:
    """Reports each finished job; a terminal gets a bar, a pipe or log gets one line per job."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.count = 0

    def done(self, outcome: Outcome) -> None:
        self.count += 1
        if self.tty:
            click.echo(f"\r{self.count} job(s) done — last: {visible(outcome.name)} [{outcome.status}]\033[K", nl=False,
                       file=self.stream)
        else:
            click.echo(summary_line(outcome), file=self.stream)

    def close(self) -> None:
        if self.tty and self.count:
            click.echo("", file=self.stream)

    def table(self, outcomes: list[Outcome], verbose: bool = False) -> None:
        """The closing table: districts, totals, warnings, errors and output folder per job."""
        header = f"{'job':<28} {'status':<8} {'districts':>9} {'charges':>18} {'aid':>14} {'warn':>5} {'err':>4}  output"
        click.echo(header, file=self.stream)
        for o in outcomes:
            click.echo(f"{visible(o.name)[:28]:<28} {o.status:<8} {o.districts:>9} {o.total_charges / 100:>18,.2f} "
                       f"{o.total_aid:>14,} {o.warnings:>5} {o.errors:>4}  {visible(o.output)}", file=self.stream)
            if o.status != "ok":
                for issue in [i for i in o.issues if i.severity == "error"][:10]:
                    click.echo(f"    {visible(issue.file)} {visible(issue.sheet)} {issue.render().strip()}",
                               file=self.stream)
                if o.message:
                    click.echo(f"    {visible_lines(o.message)}", file=self.stream)
        ok = sum(o.status == "ok" for o in outcomes)
        click.echo(f"{ok} of {len(outcomes)} job(s) computed.", file=self.stream)


def visible_lines(text: str) -> str:
    """A message of several lines (a traceback with -v) with each line's control characters shown escaped."""
    return "\n".join(visible(line) for line in text.splitlines())


def summary_line(o: Outcome) -> str:
    """One line per job: what a log or CI sees (names, paths and messages with control characters escaped)."""
    return visible(_summary(o))


def _summary(o: Outcome) -> str:
    if o.status == "ok":
        return (f"OK      {o.name}: {o.districts} districts, charges {o.total_charges / 100:,.2f}, aid {o.total_aid:,}, "
                f"{o.warnings} warning(s) → {o.output}")
    if o.status == "failed" and o.message:  # the outputs (or ERRORS.txt itself) could not be written
        return f"FAILED  {o.name}: {o.message}"
    if o.status == "failed":
        where = f"{o.output}/ERRORS.txt" if o.output else "nothing written"
        return f"ERRORS  {o.name}: {o.errors} error(s) → {where}"
    return f"CRASHED {o.name}: {o.message.splitlines()[0] if o.message else ''}"
