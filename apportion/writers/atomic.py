"""Replacing a job's output folder all at once, one writer at a time.

Every file is written into a hidden temporary folder beside the final one
(:func:`stage_folder`); only when all are complete is the old folder moved
aside and the new one renamed into place (:func:`commit_folder`). A run killed
at any moment leaves either the previous outputs or the new ones under the
final name, never a half-written file; :func:`recover` puts the previous
outputs back if a run died mid-swap.

Two processes on one folder (two ``run``\\ s, ``watch`` beside a manual run,
``mail`` writing the outbox) never interleave:

* the swap — recovery, the carried-over outbox, both renames — happens holding
  the folder's exclusive lock, :func:`folder_lock` on ``.NAME.lock`` beside it
  (``filelock``: ``flock`` on POSIX, ``msvcrt`` on Windows). The operating
  system drops a lock when its process dies, so a lock is never stale. A
  second writer waits for it, saying so, up to :func:`lock_wait` seconds, then
  fails with :class:`FolderBusy`;
* a temporary folder is named after the :class:`Owner` that will commit it,
  and an owner holds the lock ``.run-TOKEN.lock`` in the outputs root for as
  long as it lives. Recovery removes a temporary folder only when that lock can
  be taken — its owner is gone — never one another writer is still filling; a
  new owner removes the ``.run-*.lock`` files of owners that are gone (killed
  before they could), never one a live process holds.
"""
from __future__ import annotations

import errno
import os
import secrets
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from filelock import FileLock, Timeout

from ..marker import MARKER, MARKER_TEXT, ROOT_MARKER_TEXT, is_job_output
from ..options import LOCK_WAIT_ENV, lock_wait_setting

#: what belongs to later steps, not to a run, kept across re-runs (failed or not): the outbox's record of
#: what was sent (sent.csv, and the statement last sent to each district, which a Revised message is
#: compared with), so a re-run never makes ``apportion mail --send`` email districts twice — never an
#: ``.eml`` draft of a statement the re-run no longer stands behind (``mail`` writes the drafts afresh)
KEPT = ("outbox/sent.csv", "outbox/last-sent.json", "outbox/sent")


class FolderBusy(OSError):
    """Another writer held the folder's lock for longer than the wait allowed."""

    def __init__(self, final: Path, waited: float):
        self.final = final
        super().__init__(f"{final}: busy — another apportion process is writing this folder "
                         f"(waited {waited:g} s); try again when it has finished")


def lock_wait() -> float:
    """The configured wait: ``APPORTION_LOCK_WAIT`` seconds when set, else :data:`~apportion.options.LOCK_WAIT`
    (the command line refuses a value that is not seconds before anything runs)."""
    return lock_wait_setting(os.environ.get(LOCK_WAIT_ENV))


def _say_waiting(final: Path) -> None:
    print(f"waiting: another apportion process is writing {final}", file=sys.stderr, flush=True)


@contextmanager
def folder_lock(final: Path, wait: float | None = None,
                on_wait: Callable[[Path], None] | None = _say_waiting) -> Iterator[None]:
    """Hold the exclusive lock of folder ``final`` (its parent is created), waiting up to ``wait`` seconds.

    Anything that changes ``final`` — a run's swap, ``mail`` writing the outbox — takes this lock first.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    wait = lock_wait() if wait is None else wait
    lock = FileLock(str(final.with_name(f".{final.name}.lock")), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None and wait > 0:
            on_wait(final)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise FolderBusy(final, wait) from None
    try:
        yield
    finally:
        lock.release()


#: fresh tokens an owner tries before giving up: a clash with another owner's sweep is rare; a hundred in a row
#: means the folder cannot hold a lock file
OWNER_TRIES = 100


class Owner:
    """A process that stages temporary folders under an outputs root, alive while it holds its lock."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        for _ in range(OWNER_TRIES):  # a fresh token until this owner holds the lock file that is at its path
            self.token = secrets.token_hex(6)
            self._lock = FileLock(str(_owner_lock(self.root, self.token)), thread_local=False)
            try:
                self._lock.acquire(timeout=0)
            except Timeout:  # another owner's sweep probed the new file at that instant
                continue
            if _alive(self.root, self.token):
                break
            # Why: a sweep that took and removed the file between our open and our lock left us holding a
            # file no longer at the path, which would not prove this owner alive to others
            self._lock.release()
        else:  # no lock file can be made here at all (a folder removed under us, /proc): say so, never spin
            raise OSError(errno.EIO, "no lock file can be created in this folder", str(self.root))
        for other in self.root.glob(".run-*.lock"):  # the lock files of owners killed before they closed
            if other.name != _owner_lock(self.root, self.token).name:
                _alive(self.root, other.name[len(".run-"):-len(".lock")])

    def close(self) -> None:
        self._lock.release()
        _owner_lock(self.root, self.token).unlink(missing_ok=True)


def _owner_lock(root: Path, token: str) -> Path:
    return root / f".run-{token}.lock"


_OWNERS: dict[tuple[int, Path], Owner] = {}


def owner_token(root: Path) -> str:
    """This process's owner token under ``root`` (made once per process, held until it exits)."""
    key = (os.getpid(), Path(root).resolve())
    if key not in _OWNERS:
        _OWNERS[key] = Owner(root)
    return _OWNERS[key].token


@contextmanager
def owned(root: Path) -> Iterator[str]:
    """An owner token for one batch: staged folders named with it survive others' recovery while it is held."""
    owner = Owner(root)
    try:
        yield owner.token
    finally:
        owner.close()


def _alive(root: Path, token: str) -> bool:
    """Whether the owner ``token`` still holds its lock (taking it for a moment proves it gone, and its lock
    file is then removed: the lock is flock-based, so a file whose lock can be taken has no live holder)."""
    path = _owner_lock(root, token)
    if not path.exists():
        return False
    probe = FileLock(str(path), thread_local=False)
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return True
    probe.release()
    path.unlink(missing_ok=True)
    return False


def recover(final: Path, staged: Path | None = None, stages: list[str] | None = None) -> None:
    """Undo a swap that a killed run left half-done, and clear the temporary folders of ``final`` whose owners
    are gone — those named in ``stages``, when the caller listed them (:func:`stages_by_folder`).

    Call it holding :func:`folder_lock` (as :func:`commit_folder` does); ``staged`` is never touched.
    """
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        if final.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, final)
    if stages is None:
        stages = stages_by_folder(final.parent).get(final.name, [])
    for name in stages:
        stale = final.parent / name
        if stale != staged and not _alive(final.parent, _stage_of(name)[1]):
            shutil.rmtree(stale, ignore_errors=True)


def _stage_of(name: str) -> tuple[str, str] | None:
    """(job folder, owner token) of a temporary folder's name, ``.FOLDER.tmp-TOKEN-RANDOM`` (neither the hex
    token nor mkdtemp's random part holds ``.tmp-``, nor the token a ``-``), or None."""
    at = name.rfind(".tmp-")
    token = name[at + len(".tmp-"):].partition("-")[0]
    if at < 1 or not name.startswith(".") or not token:
        return None
    return name[1:at], token


def stages_by_folder(root: Path) -> dict[str, list[str]]:
    """The temporary folders under ``root``, by the job folder each is staged for.

    Why a caller lists them once for many folders: a batch commits every job into one outputs root, and
    listing it again for each job (every job's folder, stage and lock file, once per job) made committing
    370 jobs take seconds.
    """
    found: dict[str, list[str]] = {}
    with os.scandir(root) as entries:
        for entry in entries:
            parsed = _stage_of(entry.name) if ".tmp-" in entry.name else None
            if parsed is not None and entry.is_dir(follow_symlinks=False):
                found.setdefault(parsed[0], []).append(entry.name)
    return found


def stage_folder(final: Path, files: dict[str, bytes], owner: str | None = None) -> Path:
    """Write ``files`` (relative path → bytes) and the output :data:`MARKER` into a hidden temporary
    folder beside ``final``, named for ``owner`` (default: this process); its path.

    Nothing under ``final`` changes until :func:`commit_folder`; :func:`discard` removes the stage.
    """
    with Stage(final, owner) as stage:
        for rel, data in sorted(files.items()):
            stage.put(rel, data)
    return stage.path


class Stage:
    """A staged folder filled file by file (:func:`stage_folder` in steps): a large job's outputs are written as
    they are made, never all held in memory at once. Used as a context manager: on leaving it the stage is
    sealed — the :data:`MARKER` written and every file made durable — or, after an exception, removed.

    :meth:`put` may also be called from forked worker processes (:mod:`.parallel`): the seal lists the folder.
    ``durable=False`` leaves making the files durable to the caller (:func:`make_durable_all`, before any
    commit): a batch syncs all its jobs' stages at once.
    """

    def __init__(self, final: Path, owner: str | None = None, durable: bool = True):
        self.durable = durable
        final.parent.mkdir(parents=True, exist_ok=True)
        mark_output_root(final.parent)
        owner = owner or owner_token(final.parent)
        self.path = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-{owner}-", dir=final.parent))
        os.chmod(self.path, 0o777 & ~_umask())  # mkdtemp makes it private; the report is for colleagues too

    def put(self, rel: str, data: bytes | Iterable[bytes]) -> None:
        """Write one output file (relative path → bytes, or its bytes in pieces, each written as it is made:
        a million-row billing.csv is never held whole) into the stage."""
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                fh.writelines(data)

    def __enter__(self) -> "Stage":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            discard(self.path)
            return
        try:
            self.put(MARKER, MARKER_TEXT)
            if self.durable:
                make_durable(self.path, _files(self.path))
        except BaseException:
            discard(self.path)
            raise


def _syncfs() -> Callable[[int], int] | None:
    """libc's ``syncfs(2)`` (Linux), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    try:
        call = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    call.argtypes, call.restype = [ctypes.c_int], ctypes.c_int
    return call


_SYNCFS = _syncfs()


def make_durable(folder: Path, files: list[Path]) -> None:
    """Put every file staged in ``folder`` on disk before :func:`commit_folder` may rename it into place.

    Why: after a power cut the final folder must hold either the previous outputs or complete new ones,
    never a new name over data that never reached the disk, so all the data is synced before the swap.
    Why once per folder and not per file: each ``fsync`` is a journal commit and a disk-cache flush of its
    own (about 5 ms here: 58 files, 0.3 s, for one BOCES — more than its law core), while one
    ``syncfs(2)`` writes back the whole filesystem holding the folder, every staged file included, in one
    commit: the same guarantee for all of them at once. Where there is no ``syncfs`` each file is fsynced.
    A failure (disk full, I/O error) raises :class:`OSError` naming the folder, and the stage is dropped.
    """
    if _SYNCFS is None:
        for path in files:
            with open(path, "rb+") as fh:
                os.fsync(fh.fileno())
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if _SYNCFS(fd) != 0:
            import ctypes
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(folder))
    finally:
        os.close(fd)


def _files(folder: Path) -> list[Path]:
    return [Path(top, name) for top, _, names in os.walk(folder) for name in names]


def make_durable_all(folders: list[Path]) -> None:
    """:func:`make_durable` for many staged folders at once (a batch's, before it commits any): where there is
    ``syncfs``, one call per filesystem holding them writes every one back."""
    done: set[int] = set()
    for folder in folders:
        device = os.stat(folder).st_dev if _SYNCFS is not None else None
        if device is None or device not in done:
            make_durable(folder, _files(folder) if _SYNCFS is None else [])
            if device is not None:
                done.add(device)


class NotAnOutputFolder(OSError):
    """The job's output folder exists, holds files and has no marker: apportion did not write it."""

    def __init__(self, final: Path):
        super().__init__(errno.EEXIST, "the folder holds files apportion did not write (it has no "
                         f"{MARKER} marker) and is not replaced; move them or choose another -o", str(final))


def _replaceable(final: Path) -> bool:
    """Whether ``final`` may be replaced: absent, empty, or a job output folder (its marker says so). A folder
    of the user's own files under the job's name — the folder holding the input workbook, say — never is."""
    if not final.exists() or is_job_output(final):
        return True
    try:
        return final.is_dir() and next(os.scandir(final), None) is None
    except OSError:
        return False


def _say_replaced(final: Path) -> None:
    print(f"note: another apportion run wrote {final} while this one ran; this run's report replaced it",
          file=sys.stderr, flush=True)


def committed_since(final: Path, since: float) -> bool:
    """Whether ``final`` holds a report committed at or after ``since`` (a :func:`time.time`): its marker is
    touched at each commit, so this tells another run's report, swapped in while ours ran, from ours of before."""
    try:
        return (final / MARKER).stat().st_mtime >= since
    except OSError:
        return False


def commit_folder(final: Path, staged: Path, keep: tuple[str, ...] = KEPT, wait: float | None = None,
                  since: float | None = None,
                  on_replace: Callable[[Path], None] | None = _say_replaced, stages: list[str] | None = None) -> None:
    """Swap a staged folder in as ``final`` holding its lock, carrying over the ``keep`` paths of the old one.

    With ``since`` (when this run started): a report another run committed meanwhile is replaced, and
    ``on_replace`` says so — the folder is one complete run either way, but whose is not left unsaid.
    ``stages``: the temporary folders beside ``final``, when the caller listed them (:func:`recover`).
    """
    try:
        with folder_lock(final, wait):
            recover(final, staged, stages)
            if not _replaceable(final):
                raise NotAnOutputFolder(final)
            if since is not None and on_replace is not None and committed_since(final, since):
                on_replace(final)
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
            os.utime(final / MARKER)  # the commit time, for a later run's committed_since
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        discard(staged)
        raise


#: all a failed job's folder holds (docs/formats.md, Outputs)
FAILURE_FILES = {MARKER, "issues.csv", "ERRORS.txt"}


def remove_failure_folder(folder: Path) -> None:
    """Remove ``folder`` if it is a failed job's output (only its marker, issues.csv and ERRORS.txt), holding
    its lock: once the job computes under its BOCES code and year, a failure named after its file is stale."""
    if not folder.is_dir():
        return
    with folder_lock(folder):
        if is_job_output(folder) and {p.name for p in folder.iterdir()} <= FAILURE_FILES:
            shutil.rmtree(folder, ignore_errors=True)


def discard(staged: Path) -> None:
    """Remove a staged folder that will not be committed."""
    shutil.rmtree(staged, ignore_errors=True)


def write_folder(final: Path, files: dict[str, bytes], keep: tuple[str, ...] = KEPT, wait: float | None = None) -> None:
    """Write ``files`` as the new content of ``final`` at once, keeping its ``keep`` paths."""
    final.parent.mkdir(parents=True, exist_ok=True)
    with owned(final.parent) as owner:
        commit_folder(final, stage_folder(final, files, owner), keep, wait)


def mark_output_root(root: Path) -> None:
    """Put the outputs-root :data:`MARKER` in ``root`` (once), so discovery never reads it as input."""
    if not (root / MARKER).is_file():
        write_file(root / MARKER, ROOT_MARKER_TEXT)


def _umask() -> int:
    """The process's umask (read by setting it and putting it back: the only way the system offers)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(path: Path, data: bytes) -> None:
    """Write one file through a temporary name beside it: a reader sees the old file or the new, never half.

    A path that exists and is neither a regular file nor a folder (a device such as /dev/stdout, a
    pipe) is written directly: renaming over it would replace the device itself.
    """
    if path.exists() and not path.is_file() and not path.is_dir():
        with open(path, "wb") as fh:
            fh.write(data)
            fh.flush()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())  # mkstemp's file is private; an ordinary file is not
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
