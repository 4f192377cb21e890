"""Replacing a job's output folder all at once.

Every file is written into a hidden temporary folder beside the final one;
only when all are complete is the old folder moved aside and the new one
renamed into place. A run killed at any moment leaves either the previous
outputs or the new ones under the final name, never a half-written file;
:func:`recover` puts the previous outputs back if a run died mid-swap.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def recover(final: Path, staged: Path | None = None) -> None:
    """Undo a swap that a killed run left half-done, and clear its temporary folders (but ``staged``)."""
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        if final.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, final)
    for stale in final.parent.glob(f".{final.name}.tmp-*"):
        if stale != staged:
            shutil.rmtree(stale, ignore_errors=True)


#: what belongs to later steps, not to a run, kept across re-runs: the email outbox with its
#: sent.csv, so a re-run never makes ``apportion mail --send`` email districts twice
KEPT = ("outbox",)
#: what a *failed* re-run keeps: only the record of what was sent (and the statement last sent to
#: each district, which a Revised message is compared with), never an ``.eml`` draft
#: of a statement the failed run no longer stands behind
KEPT_ON_FAILURE = ("outbox/sent.csv", "outbox/last-sent.json")


def stage_folder(final: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (relative path → bytes) into a hidden temporary folder beside ``final``; its path.

    Nothing under ``final`` changes until :func:`commit_folder`; :func:`discard` removes the stage.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        for rel, data in sorted(files.items()):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        discard(tmp)
        raise
    return tmp


def commit_folder(final: Path, staged: Path, keep: tuple[str, ...] = KEPT) -> None:
    """Swap a staged folder in as ``final``, carrying over the ``keep`` paths (folders or files) of the old one."""
    recover(final, staged)
    try:
        for rel in keep:
            source, target = final / rel, staged / rel
            if source.is_dir():
                shutil.copytree(source, target)
            elif source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        old = final.with_name(f".{final.name}.old")
        if final.exists():
            os.replace(final, old)
        os.replace(staged, final)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        discard(staged)
        raise


def discard(staged: Path) -> None:
    """Remove a staged folder that will not be committed."""
    shutil.rmtree(staged, ignore_errors=True)


def write_folder(final: Path, files: dict[str, bytes], keep: tuple[str, ...] = KEPT) -> None:
    """Write ``files`` as the new content of ``final`` at once, keeping its ``keep`` paths."""
    recover(final)
    commit_folder(final, stage_folder(final, files), keep)


def write_file(path: Path, data: bytes) -> None:
    """Write one file through a temporary name beside it: a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
