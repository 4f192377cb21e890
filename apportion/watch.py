"""Watch mode (docs/formats.md, Command line: ``apportion watch``): run each job dropped into a folder.

A job is a workbook directly in the drop folder or a sub-folder of workbooks
(docs/formats.md, "A job"). When one is new or changed, the :class:`Watcher` waits
until its files have stopped changing — same size and modification time for a
quiet period — because a workbook being copied or saved over a network share
arrives in pieces; only then does it run the job once.

The core (:meth:`Watcher.handle` and :meth:`Watcher.poll_once`) takes the time
as an argument and never sleeps, so tests drive it directly;
:meth:`Watcher.run_forever` feeds it from ``watchfiles`` until ``stop_event`` is set.
"""
from __future__ import annotations

import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .limits import DEFAULT_LIMITS, Limits
from .readers.jobs import WORKBOOK_SUFFIXES, workbooks_in
from .runner import Outcome
from .marker import is_output

Signature = tuple[tuple[str, int, int], ...]


def _hidden(name: str) -> bool:
    return name.startswith(("~$", "."))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def signature(job: Path) -> Signature | None:
    """Name, size and modification time of each of the job's workbooks; None when the job is gone."""
    try:
        files = [job] if job.is_file() else workbooks_in(job) if job.is_dir() else []
        return tuple((f.name, (st := f.stat()).st_size, st.st_mtime_ns) for f in files) or None
    except OSError:  # deleted between listing and stat: gone for now
        return None


def run_one(job: Path, output: Path, limits: Limits = DEFAULT_LIMITS, verbose: bool = False) -> list[Outcome]:
    """The default job runner: the batch pipeline on one job, in this process (under ``limits``; ``verbose``:
    a crash's traceback in its outcome's message)."""
    from .batch import run_batch
    return run_batch([job], output, jobs=1, limits=limits, verbose=verbose).outcomes


@dataclass
class _Pending:
    since: float  # when the job last changed (an event or a new signature)
    signature: Signature | None = None


class Watcher:
    """Turns file-system changes in ``folder`` into one run per settled, changed job."""

    def __init__(self, folder: Path, output: Path, settle: float = 2.0,
                 run: Callable[[Path, Path], list[Outcome]] = run_one,
                 report: Callable[[Outcome], None] | None = None,
                 stop_event: threading.Event | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 say: Callable[[str], None] | None = None):
        self.folder = Path(folder).resolve()
        self.output = Path(output).resolve()
        self.settle = settle
        self.run = run
        self.report = report
        self.stop_event = stop_event or threading.Event()
        self.ready = threading.Event()  # set once the watch is in place: files dropped after it are seen
        self.clock = clock
        self.say = say  # a line about the watch itself (its folder gone, back, replaced)
        self.pending: dict[Path, _Pending] = {}
        self.last_run: dict[Path, Signature] = {}
        self.runs = 0

    # ------------------------------------------------------------ the testable core

    def job_for(self, path: Path | str) -> Path | None:
        """The job a changed path belongs to, or None when the change does not matter.

        Ignored: lock (``~$``) and hidden files, anything in the output folder,
        and files that are not workbooks.
        """
        path = Path(path)
        if not path.is_absolute():
            path = self.folder / path
        if _inside(path, self.output) or not _inside(path, self.folder) or path == self.folder:
            return None
        parts = path.relative_to(self.folder).parts
        if any(_hidden(p) for p in parts):
            return None
        top = self.folder / parts[0]
        if _inside(self.output, top) or is_output(top):  # outputs (this run's or another's) are not jobs
            return None
        if len(parts) == 1:
            if top.is_dir():
                return top
            return top if top.suffix.lower() in WORKBOOK_SUFFIXES else None
        # Inside a job folder only its workbooks matter; a deleted entry cannot be told apart, so keep it.
        if path.suffix.lower() in WORKBOOK_SUFFIXES or path.is_dir() or not path.exists():
            return top
        return None

    def handle(self, changes: Iterable, now: float | None = None) -> set[Path]:
        """Note the jobs touched by ``changes`` (``watchfiles`` (change, path) pairs, or bare paths)."""
        now = self.clock() if now is None else now
        touched = set()
        for change in changes:
            path = change[1] if isinstance(change, tuple) else change
            job = self.job_for(path)
            if job is not None:
                touched.add(job)
                state = self.pending.setdefault(job, _Pending(now))
                state.since = now
        return touched

    def ready_jobs(self, now: float) -> list[Path]:
        """Jobs whose files have kept the same size and time for ``settle`` seconds, in name order."""
        ready = []
        for job, state in sorted(self.pending.items()):
            current = signature(job)
            if current is None:  # deleted or emptied: nothing to run
                del self.pending[job]
            elif current != state.signature:  # still being written
                state.signature, state.since = current, now
            elif now - state.since >= self.settle:
                del self.pending[job]
                if self.last_run.get(job) != current:  # a touch that changed nothing is not a new job
                    ready.append(job)
        return ready

    def poll_once(self, now: float | None = None) -> list[Outcome]:
        """Run every settled job once; returns their outcomes."""
        now = self.clock() if now is None else now
        outcomes = []
        for job in self.ready_jobs(now):
            self.last_run[job] = signature(job)
            outcomes += self._run(job)
            self.runs += 1
        return outcomes

    def _run(self, job: Path) -> list[Outcome]:
        try:
            outcomes = self.run(job, self.output)
        except Exception as exc:  # a watcher outlives any one bad job
            outcomes = [Outcome(name=job.name, source=str(job), status="crashed", errors=1,
                                message=f"{type(exc).__name__}: {exc}")]
        if not outcomes:
            outcomes = [Outcome(name=job.name, source=str(job), status="failed", errors=1, output=str(job),
                                message="no job found (a workbook needs a BOCES sheet)")]
        for outcome in outcomes:
            if self.report:
                self.report(outcome)
        return outcomes

    def schedule_existing(self) -> None:
        """Treat every job already in the folder as new (``--initial``)."""
        self.handle(sorted(self.folder.iterdir()))

    # ------------------------------------------------------------ the loop

    def run_forever(self, max_runs: int | None = None, force_polling: bool | None = None) -> None:
        """Watch until ``stop_event`` is set (or ``max_runs`` jobs have run).

        ``watchfiles`` wakes up at least every ``tick`` even with no change, so
        settled jobs run on time. Ctrl-C raises ``KeyboardInterrupt`` (the CLI
        turns it into a quiet exit); a job it interrupts leaves its previous
        outputs, as outputs are swapped in atomically. ``force_polling``: look
        for changes by listing the folder (a network share, where the operating
        system is not told of other machines' writes).

        A drop folder removed, or renamed aside and made again (as sync clients
        and scripts do), is said through ``say``; watching resumes on the folder
        at that path once it is back, and the jobs in it are looked at afresh.
        """
        tick = max(50, min(500, int(self.settle * 1000 / 4))) / 1000
        rescan = False  # the folder is back or new: what arrived while none was watched is looked at
        while not self.stop_event.is_set():
            here = _identity(self.folder)
            if here is None:
                self._say(f"The drop folder {self.folder} is gone; watching resumes when it is back.")
                if not self._wait_for_folder(tick):
                    return
                self._say(f"The drop folder {self.folder} is back; watching it again.")
                rescan = True
                continue
            if self._watch(here, tick, max_runs, force_polling, rescan):
                return
            rescan = True
            if _identity(self.folder) is not None:  # else gone: said as the loop comes round
                self._say(f"The drop folder {self.folder} was replaced; watching the new one.")

    def _watch(self, identity: tuple[int, int], tick: float, max_runs: int | None,
               force_polling: bool | None, rescan: bool = False) -> bool:
        """One watch of the folder while it is the one ``identity`` names: True when watching is over (stopped,
        or ``max_runs`` reached), False when the folder went away or was replaced. ``rescan``: once the watch is
        in place (its first wake-up), every job in the folder is looked at, so none dropped before it is missed."""
        import watchfiles
        ms = int(tick * 1000)
        try:
            for changes in watchfiles.watch(self.folder, watch_filter=lambda _c, p: self.job_for(p) is not None,
                                            debounce=ms, step=50, rust_timeout=ms, yield_on_timeout=True,
                                            stop_event=self.stop_event, force_polling=force_polling,
                                            poll_delay_ms=ms):
                self.ready.set()
                if _identity(self.folder) != identity:
                    return False
                if rescan:
                    rescan = False
                    self._schedule_all()
                self.handle(changes)
                self.poll_once()
                if (max_runs is not None and self.runs >= max_runs) or self.stop_event.is_set():
                    return True
        except OSError:  # the folder vanished under the watch itself
            return False
        return True

    def _wait_for_folder(self, tick: float) -> bool:
        """Wait until the drop folder exists again (True) or watching is stopped (False)."""
        self.ready.set()
        while not self.stop_event.wait(tick):
            if _identity(self.folder) is not None:
                return True
        return False

    def _schedule_all(self) -> None:
        """Every job in a folder that is back (or new) is looked at: it may have arrived while none was watched;
        one whose files are those last run does not run again."""
        try:
            self.schedule_existing()
        except OSError:  # gone again at once: the loop says so next
            pass

    def _say(self, text: str) -> None:
        if self.say:
            self.say(text)


def _identity(folder: Path) -> tuple[int, int] | None:
    """The folder's device and inode (None when there is no folder at the path): a folder made again under the
    same name is another folder, which a watch already in place does not see."""
    try:
        st = folder.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None
