"""The command line: a thin click layer over the library (docs/formats.md, Command line).

Exit codes: 0 every job computed (warnings allowed), 1 any job had input
errors, 2 a usage error. No traceback unless ``-v``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .cli_options import echo_issues, limit_option, verbose_option, writing
from .delivery_cli import register
from .options import DEFAULT_WARN_PERCENT, VARIANT_NAME, ReportOptions, RunOptions, parse_setting
from .schema import DATE_RANGE


def _existing(paths: list[Path]) -> list[Path]:
    """The paths, or a usage error (exit 2) naming the first that does not exist."""
    for path in paths:
        if not path.exists():
            raise click.BadParameter(f"no such file or folder: {path}", param_hint="PATH")
    return paths


def _no_jobs(paths: list[Path]) -> None:
    """Nothing to compute is a failure (exit 1), not a success: say where we looked."""
    click.echo("No jobs found in " + ", ".join(str(p) for p in paths) + " (a job is a workbook with a BOCES sheet, "
               "or a folder of workbooks holding one).", err=True)
    sys.exit(1)


#: ``--set "ITEM=VALUE"`` on run (a what-if, with --variant) and validate (its values checked, nothing written)
SET_OPTION = click.option("--set", "settings", multiple=True, metavar='"ITEM=VALUE"',
                          help="A BOCES item set to VALUE instead of the workbook's (repeatable; run needs --variant).")


def _settings(settings: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    try:
        return tuple(parse_setting(text) for text in settings)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from None


def _what_if(settings: tuple[str, ...], variant: str | None, compare_base: bool, prior: Path | None,
             warn_percent: int) -> RunOptions:
    """The run's what-if and year-over-year options from the command line, or a usage error (exit 2)."""
    pairs = _settings(settings)
    if variant is not None and not VARIANT_NAME.match(variant):
        raise click.BadParameter(f"{variant!r}: a variant's name is letters, digits, - and _ (it names a folder)",
                                 param_hint="--variant")
    if (pairs or compare_base) and variant is None:
        raise click.UsageError("--set and --compare make a what-if run: name it with --variant, so the base run's "
                               "folder is left alone")
    return RunOptions(settings=pairs, variant=variant, compare=compare_base, prior=prior, warn_percent=warn_percent)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="apportion")
def cli() -> None:
    """Apportion a BOCES's budgets, price its CoSers and estimate BOCES aid (Educ. Law §1950).

    Example: apportion run inputs/ -o outputs/
    """
    from .options import LOCK_WAIT_ENV, lock_wait_setting
    try:  # a setting of the environment is checked before anything runs, as APPORTION_LIMITS is
        lock_wait_setting(os.environ.get(LOCK_WAIT_ENV))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _within_dates(ctx, param, value):
    """``--prepared`` within the dates a date cell may hold (schema.DATE_RANGE), as a Prepared date cell is."""
    if value is not None and not DATE_RANGE[0] <= value.date() <= DATE_RANGE[1]:
        raise click.BadParameter(f"{value.date()} is outside {DATE_RANGE[0]} to {DATE_RANGE[1]}; check the year")
    return value


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Folder for the outputs (one sub-folder per job).")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPU count).")
@click.option("--pdf", is_flag=True, help="Also write each statement and the summary as PDF.")
@click.option("--prepared", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, callback=_within_dates,
              help="Prepared-on date (YYYY-MM-DD) printed on the reports of jobs whose BOCES sheet has no "
                   "'Prepared date'.")
@verbose_option
@SET_OPTION
@click.option("--variant", default=None, metavar="NAME",
              help="Write a what-if run into OUTPUT/<code>_<year>_NAME/, leaving the base run's folder alone.")
@click.option("--compare", "compare_base", is_flag=True,
              help="With --variant: also write comparison.xlsx and .csv against the base run (the inputs as typed).")
@click.option("--prior", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="The prior year's output folder (default: OUTPUT/<code>_<prior year>/ when it exists).")
@click.option("--warn-change", "warn_percent", type=click.IntRange(min=0), default=DEFAULT_WARN_PERCENT,
              show_default=True, help="Warn when a district's net cost moves by more than this percent of the prior year's.")
@limit_option
def run(paths: tuple[Path, ...], output: Path, jobs: int | None, pdf: bool, prepared, verbose: bool,
        settings: tuple[str, ...], variant: str | None, compare_base: bool, prior: Path | None,
        warn_percent: int, limits) -> None:
    """Compute every job under PATH (default inputs/) and write its reports.

    Example: apportion run inputs/example_valley_2026-27.xlsx -o outputs/ --pdf

    What-if: apportion run JOB --set "Administrative budget=4,500,000" --variant board-draft --compare
    """
    import gc

    from .batch import run_batch
    from .progress import Progress
    gc.freeze()  # what start-up made lives as long as the process: no collection walks it again, nor a worker's
    paths = _existing(list(paths) or [Path("inputs")])
    what_if = _what_if(settings, variant, compare_base, prior, warn_percent)
    progress = Progress()
    options = ReportOptions(pdf=pdf, prepared=prepared.date() if prepared else None)
    batch = run_batch(paths, output, jobs=jobs, on_done=progress.done, verbose=verbose, options=options,
                      what_if=what_if, limits=limits)
    progress.close()
    if batch.log.issues:
        echo_issues(batch.log.sorted(), verbose)
    if not batch.outcomes and not batch.log.errors:  # a refused run (-o inside the inputs) said why already
        _no_jobs(paths)
    if batch.outcomes:  # none when -o was refused: the refusal is all there is to say
        progress.table(batch.outcomes, verbose)
    sys.exit(batch.exit_code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@verbose_option
@click.option("--json", "as_json", is_flag=True, help="Print every issue as JSON (one object per job) for other tools.")
@SET_OPTION
@limit_option
def validate(paths: tuple[Path, ...], verbose: bool, as_json: bool, settings: tuple[str, ...], limits) -> None:
    """Check every job under PATH without writing anything; exit 1 on any error.

    Example: apportion validate inputs/ --json

    A what-if's values checked before it is run: apportion validate JOB --set "Administrative budget=4,500,000"
    """
    from .batch import run_batch
    from .progress import visible, visible_lines
    from .textsafe import path_text
    batch = run_batch(_existing(list(paths)), Path("."), jobs=1, write=False, verbose=verbose, limits=limits,
                      what_if=RunOptions(settings=_settings(settings)))
    if as_json:
        import json
        jobs = [{"job": path_text(o.source), "status": o.status, "message": o.message, "issues": [i.as_dict() for i in o.issues]}
                for o in batch.outcomes]
        click.echo(json.dumps({"issues": [i.as_dict() for i in batch.log.sorted()], "jobs": jobs}, indent=2,
                              ensure_ascii=False))
        sys.exit(batch.exit_code if batch.outcomes else 1)
    if batch.log.issues:
        echo_issues(batch.log.sorted(), verbose)
    if not batch.outcomes and not batch.log.errors:
        _no_jobs(list(paths))
    for o in batch.outcomes:
        errors = max(sum(i.severity == "error" for i in o.issues), o.errors)  # o.errors counts past the cap
        warnings = max(sum(i.severity == "warning" for i in o.issues), o.warnings)
        state = "OK" if o.status == "ok" else ("CRASHED" if o.status == "crashed" else "ERRORS")
        click.echo(f"{state:7} {visible(o.source)}: {errors} error(s), {warnings} warning(s)")
        echo_issues(o.issues, verbose)
        if o.message:
            click.echo(f"    {visible_lines(o.message)}")
    sys.exit(batch.exit_code)


@cli.command()
@click.option("--year", "year", default=None, help="Budget year, e.g. 2026-27 (default: every value on file).")
def params(year: str | None) -> None:
    """List every law parameter in force, with its citation.

    Example: apportion params --year 2026-27
    """
    from .parameters import load_parameters
    from .years import SchoolYear
    if year is None:
        for name, p in load_parameters().items():
            click.echo(f"{name}  ({p.label}; {p.unit}; keyed on {p.keyed_on})")
            for when, value in p.values:
                click.echo(f"    {_since(p.since(when))}: {_number(value)}")
            _echo_references(p)
        return
    try:
        budget = SchoolYear.parse(year)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--year") from None
    from .parameters import load_parameters, parameters_at
    values = parameters_at(budget)
    for name, pv in values.items():
        carried = " (carried forward: no value published for this year)" if pv.carried_forward else ""
        click.echo(f"{name} = {_number(pv.value)}  [{pv.parameter.unit}; {pv.parameter.keyed_on} {pv.year}; "
                   f"{_since(pv.effective_text)}]{carried}")
        _echo_references(pv.parameter)
    for name, p in load_parameters().items():  # said, not left out: a job that needs one cannot compute the year
        if name not in values:
            first = _since(p.since(p.values[0][0]))
            click.echo(f"{name}: no value on file for {budget} (first value on file: {first})")


def _since(text: str) -> str:
    """ "from 2022-07-01", or "in force by 2024-25 (earliest checked)" as it stands."""
    return text if text.startswith("in force") else f"from {text}"


def _echo_references(parameter) -> None:
    """Each reference of a parameter: the law or published document, and its public URL where there is one."""
    for ref in parameter.references:
        click.echo(f"    {ref.title}" + (f" <{ref.href}>" if ref.href else ""))


def _number(value) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("templates/apportion-input-template.xlsx"),
              show_default=True, help="Where to write the blank workbook.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists (it may be a filled-in workbook).")
def template(output: Path, force: bool) -> None:
    """Write a blank input workbook with every sheet, header comments and drop-down lists.

    Example: apportion template -o my-boces-2026-27.xlsx
    """
    from .template import write_template
    if output.is_dir():
        raise click.BadParameter(f"{output} is a folder; name the workbook to write, e.g. {output / 'template.xlsx'}",
                                 param_hint="-o")
    device = output.exists() and not output.is_file()  # /dev/stdout, a pipe: a stream, not a file name
    if output.suffix.lower() != ".xlsx" and not device:  # the workbook is xlsx: under another name Excel refuses it
        raise click.BadParameter(f"{output}: the template is an Excel workbook; name it with .xlsx, e.g. "
                                 f"{output.with_suffix('.xlsx').name}", param_hint="-o")
    if output.is_file() and not force:
        raise click.BadParameter(f"{output} already exists; it may be a filled-in workbook. Choose another name, "
                                 "or add --force to replace it", param_hint="-o")
    with writing(output):
        write_template(output)
    click.echo(f"Wrote {output}")


@cli.command()
@click.argument("old", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("new", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="The workbook to write (.xlsx; the CSV goes beside it). Default: comparison_<OLD>_to_<NEW>.xlsx.")
@click.option("--force", is_flag=True, help="Replace FILE (or its .csv) if it exists and is not an earlier comparison.")
@verbose_option
def compare(old: Path, new: Path, output: Path | None, force: bool, verbose: bool) -> None:
    """Compare two job output folders line by line, with the drivers of each change.

    Example: apportion compare outputs/660000_2025-26 outputs/660000_2026-27 -o what-changed.xlsx
    """
    from .compare import NotAJobOutput, compare_runs
    from .writers.atomic import write_file
    from .writers.comparison import comparison_csv, comparison_xlsx
    if output is not None and output.suffix.lower() != ".xlsx":
        raise click.BadParameter("the workbook's name must end in .xlsx", param_hint="-o")
    output = output or Path(f"comparison_{old.resolve().name}_to_{new.resolve().name}.xlsx")
    _check_comparison_target(output, force)
    try:
        c = compare_runs(old, new)
    except NotAJobOutput as exc:
        click.echo(f"ERROR   {exc}", err=True)
        sys.exit(1)
    with writing(output):
        write_file(output, comparison_xlsx(c))
        write_file(output.with_suffix(".csv"), comparison_csv(c))
    net = c.totals[c.totals["category"] == "net cost"]
    change = int(net["change"].sum()) if len(net) else 0
    click.echo(f"{c.old.label} → {c.new.label}: {c.lines['district_code'].nunique()} districts, "
               f"{len(c.one_sided)} found in one run only; BOCES net cost change {change / 100:+,.2f}")
    if verbose:  # each district's net cost, old → new
        from .progress import visible
        for r in c.lines[c.lines["category"] == "net cost"].itertuples():
            click.echo(f"  {r.district_code}  {visible(str(r.district_name))[:40]:<40} {int(r.old) / 100:>16,.2f} → "
                       f"{int(r.new) / 100:>16,.2f}  ({int(r.change) / 100:+,.2f})")
    click.echo(f"Wrote {output} and {output.with_suffix('.csv')}")


def _check_comparison_target(output: Path, force: bool) -> None:
    """Refuse a comparison's file names that would replace something not an earlier comparison: never a file in
    a job output folder (its summary, a statement) or a workbook with a BOCES sheet (an input), and any other
    existing file only with ``--force`` — as ``template`` does."""
    from .marker import is_job_output
    from .readers.jobs import holds_boces_sheet
    from .writers.comparison import is_comparison
    folder = next((f for f in [output.parent.resolve(), *output.parent.resolve().parents] if is_job_output(f)), None)
    if folder is not None:
        raise click.BadParameter(f"{output} is inside the job output folder {folder}, which the next run replaces; "
                                 "write the comparison elsewhere", param_hint="-o")
    if output.is_file() and holds_boces_sheet(output):
        raise click.BadParameter(f"{output} is an input workbook (it has a BOCES sheet); it is never replaced",
                                 param_hint="-o")
    if force or is_comparison(output):  # an earlier comparison's workbook and its CSV are replaced
        return
    for path in (output, output.with_suffix(".csv")):
        if path.is_file():
            raise click.BadParameter(f"{path} already exists and is not an earlier comparison; choose another name, "
                                     "or add --force to replace it", param_hint="-o")


register(cli)  # mail and watch: every command is there at import


def main() -> None:
    """The ``apportion`` command: :func:`cli`, then out of the process at once (:func:`_leave`)."""
    try:
        cli()
    except SystemExit as exc:
        _leave(exc.code)


def _leave(code: int | str | None) -> None:
    """Exit with ``code`` as :class:`SystemExit` would (None is 0; a text is printed and is 1), skipping the
    interpreter's teardown.

    Why: the teardown frees every object and module one by one — pandas' and numpy's 400 modules, the run's
    frames, the start-up objects ``run`` froze — about 0.1 s of CPU after the last output was written, which a
    one-BOCES run spent on every re-run. Nothing is left to it: every output was written, closed and committed
    with its lock released, and every worker pool was shut down and joined inside the run (the exit hooks
    multiprocessing registers find nothing left to do; apportion registers none). The standard streams, the
    one buffered state left, are flushed here (a reader gone away fails as Python's own exit does, with 120).
    """
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a reader that went away (`| head`), a stream closed under us
        code = 120
    os._exit(code)


if __name__ == "__main__":
    main()
