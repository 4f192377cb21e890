"""Dated law parameters: one YAML file per parameter, each value with its citation.

Layout follows OpenFisca/PolicyEngine: ``<concept>/<name>.yaml`` with
``description``, ``metadata`` (label, unit, keyed_on, period, reference) and
``values`` keyed by ISO effective date (normally July 1) — or, for the first
value only, ``by YYYY-YY``: the value is known to be in force by that school
year (the earliest year checked against the law) but its true start is not on
file, so it also applies to earlier years and is shown as "in force by YYYY-YY
(earliest checked)", never as a made-up date. ``keyed_on`` says
whether the value belongs to the *budget* year (the job's school year) or the
*aid* year (the year after, rules §8). ``period: from`` means a value stays in
force until the next date; ``period: year`` means it was published for that
one year only, so a later year without its own value is *carried forward* and
flagged (rules §5, state average AV per RWADA).

Loading is strict: unknown keys, duplicate keys, bad dates and non-numeric
values are :class:`~apportion.errors.ParameterError` naming file and key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import ParameterError
from ..exact import fraction_of
from ..years import SchoolYear

ROOT = Path(__file__).parent
TOP_KEYS = {"description", "metadata", "values"}
METADATA_KEYS = {"label", "unit", "keyed_on", "period", "reference"}
REFERENCE_KEYS = {"title", "href"}  # href: the public URL, where there is one
UNITS = {"currency-USD", "ratio", "percent", "mills", "days", "districts", "hours"}
KEYED_ON = {"budget_year", "aid_year"}
PERIODS = {"from", "year"}


@dataclass(frozen=True)
class Reference:
    title: str
    href: str


@dataclass(frozen=True)
class Parameter:
    """One law parameter and its dated values."""

    name: str
    description: str
    label: str
    unit: str
    keyed_on: str
    period: str
    references: tuple[Reference, ...]
    values: tuple[tuple[date, Fraction], ...]  # sorted by date
    known_by: SchoolYear | None = None  # the first value is only known in force by this year ("by YYYY-YY")

    @property
    def citation(self) -> str:
        return "; ".join(r.title for r in self.references)

    def since(self, when: date) -> str:
        """How the value in force from ``when`` started: its date, or "in force by 2024-25 (earliest checked)"."""
        if self.known_by is not None and when == self.values[0][0]:
            return f"in force by {self.known_by} (earliest checked)"
        return when.isoformat()

    def at(self, budget_year: SchoolYear) -> "ParameterValue | None":
        """The value in force for the job's budget year (shifted to the aid year when keyed so);
        None before the first value on file."""
        year = budget_year.aid_year() if self.keyed_on == "aid_year" else budget_year
        in_force = [(d, v) for d, v in self.values if d <= year.begins]
        if not in_force and self.known_by is not None:  # its true start is unknown: it applies before too
            in_force = [self.values[0]]
        if not in_force:
            return None
        effective, value = in_force[-1]
        carried = self.period == "year" and effective != year.begins
        return ParameterValue(self, value, effective, year, carried)


@dataclass(frozen=True)
class ParameterValue:
    """A parameter's value for one year, with where it came from."""

    parameter: Parameter
    value: Fraction
    effective: date
    year: SchoolYear
    carried_forward: bool = False

    @property
    def name(self) -> str:
        return self.parameter.name

    @property
    def effective_text(self) -> str:
        """The date the value took effect, or "in force by YYYY-YY (earliest checked)"."""
        return self.parameter.since(self.effective)


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present: same grammar, faster


class _StrictLoader(_BASE_LOADER):
    """SafeLoader that refuses duplicate keys and keeps dates as text."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise ParameterError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _unknown(found: set, allowed: set, where: str) -> None:
    extra = sorted(set(found) - allowed)
    if extra:
        raise ParameterError(f"{where}: unexpected key {extra[0]!r}; allowed keys are {', '.join(sorted(allowed))}")
    missing = sorted(allowed - set(found))
    if missing:
        raise ParameterError(f"{where}: missing key {missing[0]!r}")


def load_parameter(path: Path, name: str) -> Parameter:
    """Read one parameter file strictly."""
    where = str(path)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{where}: not valid YAML ({exc})") from None
    if not isinstance(doc, dict):
        raise ParameterError(f"{where}: expected a mapping")
    _unknown(set(doc), TOP_KEYS, where)
    meta = doc["metadata"]
    if not isinstance(meta, dict):
        raise ParameterError(f"{where}: metadata must be a mapping")
    _unknown(set(meta), METADATA_KEYS, f"{where} metadata")
    if meta["unit"] not in UNITS:
        raise ParameterError(f"{where}: unit {meta['unit']!r} is not one of {', '.join(sorted(UNITS))}")
    if meta["keyed_on"] not in KEYED_ON:
        raise ParameterError(f"{where}: keyed_on must be one of {', '.join(sorted(KEYED_ON))}")
    if meta["period"] not in PERIODS:
        raise ParameterError(f"{where}: period must be one of {', '.join(sorted(PERIODS))}")
    refs = meta["reference"]
    if not isinstance(refs, list) or not refs:
        raise ParameterError(f"{where}: reference must be a non-empty list")
    references = []
    for ref in refs:
        if not isinstance(ref, dict) or "title" not in ref or set(ref) - REFERENCE_KEYS:
            raise ParameterError(f"{where}: each reference needs a title, and an href where there is a public URL "
                                 f"(found {sorted(ref) if isinstance(ref, dict) else ref!r})")
        references.append(Reference(str(ref["title"]), str(ref.get("href") or "")))
    values = []
    known_by = None
    if not isinstance(doc["values"], dict) or not doc["values"]:
        raise ParameterError(f"{where}: values must be a non-empty mapping of ISO dates")
    for key, raw in doc["values"].items():
        text = str(key)
        if text.startswith("by "):
            try:
                known_by = SchoolYear.parse(text[3:])
            except ValueError:
                raise ParameterError(f"{where}: {key!r} is not 'by' and a school year (by 2024-25)") from None
            when = known_by.begins
        else:
            try:
                when = date.fromisoformat(text)
            except ValueError:
                raise ParameterError(f"{where}: {key!r} is not an ISO date (YYYY-MM-DD) "
                                     "or 'by' and a school year") from None
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ParameterError(f"{where}: value for {key} must be a number, found {raw!r}")
        try:
            values.append((when, fraction_of(raw)))
        except Exception:
            raise ParameterError(f"{where}: value for {key} must be a number, found {raw!r}") from None
    if known_by is not None and min(d for d, _ in values) != known_by.begins:
        raise ParameterError(f"{where}: only the first value may be 'by {known_by}'")
    return Parameter(
        name=name,
        description=str(doc["description"]),
        label=str(meta["label"]),
        unit=meta["unit"],
        keyed_on=meta["keyed_on"],
        period=meta["period"],
        references=tuple(references),
        values=tuple(sorted(values)),
        known_by=known_by,
    )


def load_parameters(root: Path = ROOT) -> dict[str, Parameter]:
    """Every parameter under ``root``, named ``<folder>.<file stem>`` (read once per process)."""
    return _load_tree(Path(root).resolve())


@lru_cache(maxsize=4)
def _load_tree(root: Path) -> dict[str, Parameter]:
    found = {}
    for path in sorted(Path(root).rglob("*.yaml")):
        rel = path.relative_to(root).with_suffix("")
        name = ".".join(rel.parts)
        found[name] = load_parameter(path, name)
    if not found:
        raise ParameterError(f"{root}: no parameter files")
    return found


def parameters_at(budget_year: SchoolYear, root: Path = ROOT) -> dict[str, ParameterValue]:
    """Every parameter's value for a job's budget year (those with no value yet on file are left out)."""
    values = {name: p.at(budget_year) for name, p in load_parameters(root).items()}
    return {name: v for name, v in values.items() if v is not None}
