"""Options every ``apportion`` command that takes them spells the same way (click decorators)."""
from __future__ import annotations

import click

#: ``-v``: notes as well as errors and warnings, and a traceback for a job that crashed
verbose_option = click.option("-v", "--verbose", is_flag=True, help="Show notes and tracebacks.")
