"""apportion — BOCES apportionment, CoSer charges and BOCES aid for New York (Education Law §1950).

Library first: :func:`compute` reads a job (a workbook or a job folder) and
returns its :class:`~apportion.result.Result`; the command line only calls it.
"""
from __future__ import annotations

__version__ = "0.1.0"

from pathlib import Path


def compute(path):
    """Read, check and compute one job; raises :class:`~apportion.errors.JobInputError` listing every issue."""
    from .runner import compute_job
    return compute_job(Path(path))


def validate(path):
    """Every issue (errors, warnings and notes) of one job, without computing reports."""
    from .runner import check_job
    return check_job(Path(path))


__all__ = ["__version__", "compute", "validate"]
