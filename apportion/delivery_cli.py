"""The ``mail`` and ``watch`` commands: a thin click layer over :mod:`apportion.mail` and :mod:`apportion.watch`.

``cli.main()`` calls :func:`register` to add them to the ``apportion`` group.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_options import cannot_write, echo_issues, limit_option, verbose_option


def _addresses(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeated options and ;-separated lists, flattened."""
    return tuple(a.strip() for v in values for a in v.replace(",", ";").split(";") if a.strip())


@click.command("mail", short_help="Write each district's statement email; --send delivers them.")
@click.argument("job_folder", metavar="OUTPUT_JOB_FOLDER",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--send", is_flag=True, help="Deliver the messages over SMTP (default: only write outbox/).")
@click.option("--host", envvar="APPORTION_SMTP_HOST", show_envvar=True, help="SMTP server.")
@click.option("--port", type=click.IntRange(1, 65535), envvar="APPORTION_SMTP_PORT", show_envvar=True,
              help="SMTP port (default: 587 starttls, 465 ssl, 25 none).")
@click.option("--security", type=click.Choice(["starttls", "ssl", "none"], case_sensitive=False),
              envvar="APPORTION_SMTP_SECURITY", show_envvar=True, default="starttls", show_default=True,
              help="How the connection is encrypted.")
@click.option("--user", envvar="APPORTION_SMTP_USER", show_envvar=True, help="SMTP login (none: no login).")
@click.option("--password", envvar="APPORTION_SMTP_PASSWORD", show_envvar=True,
              help="SMTP password; prefer the environment variable (asked for when --user is set without it).")
@click.option("--from", "sender", envvar="APPORTION_SMTP_FROM", show_envvar=True,
              help='Sender, e.g. "Business Office <business@boces.org>" (default: the BOCES item '
                   '"Business office email"); needed with --send.')
@click.option("--reply-to", "reply_to", multiple=True, metavar="ADDRESS",
              help="Where replies go (repeat, or separate with ;).")
@click.option("--cc", "cc", multiple=True, metavar="ADDRESS",
              help="Copy every message to this address (repeat, or separate with ;).")
@click.option("--what-if", "what_if", is_flag=True,
              help="Mail a what-if variant's statements (run --variant), each saying it is not the adopted figures; "
                   "without it a variant's folder is refused.")
@verbose_option
def mail(job_folder: Path, send: bool, host: str | None, port: int | None, security: str, user: str | None,
         password: str | None, sender: str | None, reply_to: tuple[str, ...], cc: tuple[str, ...],
         what_if: bool, verbose: bool) -> None:
    """Write one .eml per district, its statement attached, into OUTPUT_JOB_FOLDER/outbox/; --send delivers them.

    Deliveries are recorded in outbox/sent.csv by address and statement
    content: a statement already sent to an address is never sent to it
    again, so re-running after a failure is safe; a statement that changed
    since it was sent goes out marked Revised, with the lines that changed.

    Example: apportion mail outputs/EXAMPLE_2026-27 --send --from business@boces.org
    """
    from .mail import Envelope, MailError, SmtpSettings, mailbox, send_outbox, write_outbox
    if send and not host:
        raise click.UsageError("--send needs an SMTP server: --host or APPORTION_SMTP_HOST")
    envelope = Envelope(sender or None, _addresses(reply_to), _addresses(cc))
    for option, values in (("--from", (envelope.sender,) if envelope.sender else ()), ("--reply-to", envelope.reply_to),
                           ("--cc", envelope.cc)):
        for value in values:  # each exactly one mailbox, before anything is written
            try:
                mailbox(value)
            except MailError as exc:
                raise click.BadParameter(str(exc), param_hint=f"'{option}'") from None
    from .writers.atomic import FolderBusy, folder_lock
    try:
        # the run's swap takes the same lock: a re-run never replaces the folder while its outbox is written
        with folder_lock(job_folder.resolve()):
            outbox = write_outbox(job_folder, envelope, what_if)
            click.echo(f"Wrote {len(outbox.drafts)} message(s) to {outbox.folder}")
            if verbose:  # each message: the district, who it goes to, its file
                from .progress import visible
                for d in outbox.drafts:
                    click.echo(f"  {d.statement.code}  {visible(d.statement.name)} → {visible(', '.join(d.recipients))}"
                               f"  {d.path.name}")
            revised = [d for d in outbox.drafts if d.revised]
            if revised:
                click.echo(f"{len(revised)} statement(s) changed since they were sent and are marked Revised: "
                           + ", ".join(d.statement.code for d in revised))
            if outbox.no_address:
                click.echo(f"{len(outbox.no_address)} district(s) have no email address "
                           f"(listed in {outbox.folder / 'no-address.csv'}):")
                for st in outbox.no_address:
                    click.echo(f"  {st.code}  {st.name}")
            if not send:
                return
            if outbox.sender is None and outbox.drafts:
                raise click.UsageError("--send needs a sender: --from, APPORTION_SMTP_FROM or the BOCES item "
                                       "'Business office email'")
            if user and password is None:
                password = click.prompt(f"SMTP password for {user}", hide_input=True, err=True)
            settings = SmtpSettings(host=host, port=port, security=security.lower(), user=user or None, password=password)
            report = send_outbox(outbox, settings, on_event=_echo_event)
            click.echo(f"Sent {len(report.sent)} message(s); {len(report.skipped)} already sent; "
                       f"{len(report.failed)} failed" + (f" (listed in {outbox.folder / 'failed.csv'})"
                                                         if report.failed else "") + ".")
            if report.failed:
                sys.exit(1)
    except (MailError, FolderBusy) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # the lock file itself cannot be made: a read-only or full disk
        cannot_write(job_folder, exc)


def _echo_event(kind: str, draft, detail: str) -> None:
    """One line per message as it is sent, skipped or fails."""
    if kind == "sent":
        click.echo(f"Sent    {draft.statement.code} → {detail}" + (" (revised)" if draft.revised else ""))
    elif kind == "skipped":
        click.echo(f"Skipped {draft.statement.code} → {', '.join(draft.recipients)} (already sent)")
    else:
        click.echo(f"Failed  {draft.statement.code}: {detail}", err=True)


@click.command("watch", short_help="Run each job dropped into FOLDER once its files settle.")
@click.argument("folder", required=False, default=Path("inputs"),
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"),
              show_default=True, help="Folder for the outputs (one sub-folder per job).")
@click.option("--settle", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="Seconds a job's files must stay unchanged before it runs.")
@click.option("--initial", is_flag=True, help="Also run every job already in FOLDER at start.")
@click.option("--once", is_flag=True, help="Exit after the first job has run.")
@click.option("--poll", is_flag=True,
              help="Look for changes by listing FOLDER (for a network share: SMB or NFS do not tell this machine "
                   "of other machines' writes).")
@limit_option
@verbose_option
def watch(folder: Path, output: Path, settle: float, initial: bool, once: bool, poll: bool, limits,
          verbose: bool) -> None:
    """Run each new or changed job in FOLDER (default inputs/) once its files stop changing. Ctrl-C stops.

    Example: apportion watch inputs/ -o outputs/
    """
    from .batch import output_among_inputs
    from .errors import IssueLog
    from .progress import summary_line, visible_lines
    from .watch import Watcher, run_one

    refused = IssueLog()
    if output_among_inputs(output, [folder], [], refused):  # as run refuses it, before watching starts
        echo_issues(refused.issues, verbose)
        sys.exit(1)

    def report(outcome) -> None:
        click.echo(summary_line(outcome))
        if verbose:  # every issue of the run (notes too) and a crash's traceback
            echo_issues(outcome.issues, verbose)
            if outcome.message and outcome.status == "crashed":
                click.echo(f"    {visible_lines(outcome.message)}")

    watcher = Watcher(folder, output, settle=settle, report=report, say=click.echo,
                      run=lambda job, out: run_one(job, out, limits, verbose))
    if initial:
        watcher.schedule_existing()
    click.echo(f"Watching {folder} → {output} (Ctrl-C to stop)")
    try:
        watcher.run_forever(max_runs=1 if once else None, force_polling=True if poll else None)
    except KeyboardInterrupt:  # Ctrl-C is how a person stops watching: not an error
        pass
    click.echo("Stopped.")


def register(group: click.Group) -> None:
    """Add ``mail`` and ``watch`` to the ``apportion`` command group."""
    group.add_command(mail)
    group.add_command(watch)
