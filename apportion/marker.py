"""The output marker: how a folder apportion wrote is told from an input folder (docs/formats.md, Outputs).

Below every layer: the readers skip marked folders, the writers put the marker in every folder they write.
"""
from __future__ import annotations

from pathlib import Path

#: the file in every job output folder and in the outputs root that marks it as this tool's output:
#: discovery never reads a folder holding it as input (docs/formats.md, Outputs)
MARKER = ".apportion-output"
MARKER_TEXT = b"apportion job output\nThis folder was written by apportion; it is never read as input.\n"
ROOT_MARKER_TEXT = b"apportion outputs\nThis folder holds apportion's job outputs; it is never read as input.\n"


def is_output(folder: Path) -> bool:
    """True for a folder this tool wrote (a job output folder or an outputs root)."""
    return (folder / MARKER).is_file()


def is_job_output(folder: Path) -> bool:
    """True for a job output folder (its marker says so; an outputs root's says otherwise)."""
    try:
        with open(folder / MARKER, "rb") as fh:
            return fh.read(len(MARKER_TEXT)) == MARKER_TEXT
    except OSError:
        return False
