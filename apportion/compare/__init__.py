"""Comparing two runs — last year's and this year's, or a base run and a what-if variant — line by
line, with each change split exactly into its drivers (Educ. Law §1950(4)(b)(7), (4)(d), (5);
docs/rules.md §9).

Library use::

    from apportion.compare import compare_runs
    c = compare_runs("outputs/660000_2025-26", "outputs/660000_2026-27")
    c.lines            # one row per district and line (LINE_COLUMNS), money in int cents
    c.district("010100010000")   # one district's lines, e.g. for a revised statement
    c.changed("010100010000")    # only its lines whose amount changed
    c.totals           # the BOCES totals of every line
    c.one_sided        # districts, services and contracts found in one run only

Each line of :attr:`Comparison.lines` has ``old``, ``new``, ``change = new − old`` and
``change_percent`` (hundredths of a percent of |old|; <NA> when old is 0), and two drivers
``driver_1``/``part_1`` and ``driver_2``/``part_2`` with ``part_1 + part_2 == change`` to the cent:

* administrative, administrative surplus, capital, rent: ``pool size`` and ``basis share``;
* coser, shared pd: ``units`` and ``unit cost``; coser surplus: ``surplus size`` and ``units share``;
* coser adjustment: ``final charge`` and ``initial charge``;
* aid (ADMIN, SERVICES, CAPITAL, RENT, SAVE-HARMLESS): ``ratio`` and ``approved expense``;
* total charges: ``budget shares`` and ``services``; total aid: ``ratios`` and ``expenses``;
  net cost: ``charges`` and ``aid`` (aid's part is minus the change in aid).

``district_status`` and ``line_status`` are ``both``, ``old only`` or ``new only``.
:func:`compare_runs` raises :class:`NotAJobOutput` for a folder that is not a computed job's output.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .drivers import CATEGORY_ORDER, DRIVERS, LINE_COLUMNS, boces_totals, compare_lines, one_sided
from .figures import BASIS_FILE, NotAJobOutput, RunFigures, basis_json, figures_of_result, load_run


@dataclass(frozen=True)
class Comparison:
    """Two runs side by side: every line's old, new, change and drivers, the BOCES totals, and what
    is found in one run only. Money in int cents."""

    old: RunFigures
    new: RunFigures
    lines: pd.DataFrame
    totals: pd.DataFrame
    one_sided: pd.DataFrame

    def district(self, code: str) -> pd.DataFrame:
        """One district's lines (all of them, unchanged ones too), in category order."""
        return self.lines[self.lines["district_code"] == code].reset_index(drop=True)

    def changed(self, code: str) -> pd.DataFrame:
        """One district's lines whose amount changed."""
        lines = self.district(code)
        return lines[lines["change"] != 0].reset_index(drop=True)

    def line(self, code: str, category: str, item_code: str) -> pd.Series:
        """One line of one district (KeyError if neither run has it)."""
        lines = self.lines
        hit = lines[(lines["district_code"] == code) & (lines["category"] == category) & (lines["item_code"] == item_code)]
        if hit.empty:
            raise KeyError((code, category, item_code))
        return hit.iloc[0]


def compare(old: RunFigures, new: RunFigures) -> Comparison:
    """Compare two runs' figures (see the module docstring for the columns and drivers)."""
    lines = compare_lines(old, new)
    return Comparison(old=old, new=new, lines=lines, totals=boces_totals(lines), one_sided=one_sided(old, new))


def compare_runs(old_folder, new_folder) -> Comparison:
    """Compare two job output folders (OLD, NEW) of one BOCES; :class:`NotAJobOutput` if either is not one, or if
    they are two BOCES's (one BOCES's pools and districts say nothing about another's)."""
    old, new = load_run(Path(old_folder)), load_run(Path(new_folder))
    if old.boces_code != new.boces_code:
        raise NotAJobOutput(f"{old_folder} is BOCES {old.boces_code}'s run and {new_folder} is BOCES "
                            f"{new.boces_code}'s: a comparison is of two runs of one BOCES")
    return compare(old, new)


__all__ = ["BASIS_FILE", "CATEGORY_ORDER", "DRIVERS", "LINE_COLUMNS", "Comparison", "NotAJobOutput", "RunFigures",
           "basis_json", "compare", "compare_runs", "figures_of_result", "load_run"]
