"""Near misses: a sheet name, header or BOCES item typed almost like a known one that is absent.

FORMATS.md matches names ignoring case and extra spaces; anything else that is
not a known name is either a *near miss* — the user meant a known name and the
value would otherwise be silently unused ("Prior year units", "Actual costs",
"Aid A.V.", sheet "Staf") — or simply something the tool does not use. A near
miss is an error with "did you mean …?"; the rest are warnings.

A typed name is a near miss of a known name that is *absent* (not typed
exactly elsewhere) when either

* the two fold to the same letters: case, spaces, punctuation and plural
  endings ignored (``Aid A.V.`` = ``Aid AV``, ``Nonaidable costs`` =
  ``Non-aidable costs``, ``Service`` = ``Services``, ``SharedPD`` = ``Shared PD``);
* every word of the known name is among the typed words (or begins like one:
  ``valuation`` for ``value``), in any order, and the two are still alike or the
  typed name has at most one word more, a year aside (``Prior year units`` for ``Prior units``,
  ``District code (BEDS)``, ``Full valuation``, ``Email address``, ``Units current``);
* every typed word is a word of the known name and they are at least half of its
  words (``or``, ``of`` … aside) — a name cut short (``Credit`` for ``Credit or
  certificate``, ``Start`` for ``Start date``, ``Vote`` for ``Budget vote``, not
  ``Total`` for ``Prior year total charges``), at least :data:`SHORTEST` letters;
* or they are a small edit apart: :class:`difflib.SequenceMatcher` ratio of at
  least :data:`RATIO` (``Staf`` for ``Staff``, ``Enrolment`` for ``Enrollment``).

A name typed exactly is never a near miss, so two known names that are near
each other (``Units`` and ``Current units``, ``Aid AV`` and ``Aid RWADA``)
never clash.
"""
from __future__ import annotations

import difflib
import re
from typing import Iterable, TypeVar

from ..schema import normalise

#: the edit-distance threshold (difflib ratio) for a near miss
RATIO = 0.8
#: the lower ratio accepted when the typed name holds every word of the known one and more than one word besides
CONTAINED_RATIO = 0.6
#: the fewest letters a name cut short must keep to be a near miss (``PD`` is no near miss of ``Shared PD``)
SHORTEST = 4
#: words that do not count towards the half of a name cut short
LINKING = frozenset({"a", "and", "by", "for", "of", "or", "per", "the"})

T = TypeVar("T")


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: object) -> list[str]:
    """The name's words, case-folded, punctuation dropped, each made singular."""
    return [_singular(w) for w in re.split(r"[^0-9a-z]+", normalise(text)) if w]


def fold(text: object) -> str:
    """The name's letters and digits only, case-folded and singular: ``Aid A.V.`` → ``aidav``."""
    return "".join(words(text))


def _alike(known: str, typed: str) -> bool:
    """One word for another: equal, or sharing a beginning of 4+ letters that covers most of the shorter."""
    if known == typed:
        return True
    common = len(_common_prefix(known, typed))
    return common >= 4 and common >= 0.8 * min(len(known), len(typed))


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _score(typed: str, known: str) -> tuple[int, int, float] | None:
    """How close ``typed`` is to ``known`` (higher is closer), or None when it is not a near miss."""
    if fold(typed) == fold(known):
        return (1, 1, 1.0)
    ratio = difflib.SequenceMatcher(None, normalise(typed), normalise(known)).ratio()
    typed_words, known_words = words(typed), words(known)
    contained = all(any(_alike(k, t) for t in typed_words) for k in known_words)
    meaning = [k for k in known_words if k not in LINKING]
    cut_short = (len(fold(typed)) >= SHORTEST and 2 * len(set(typed_words) - LINKING) >= len(meaning)
                 and all(any(_alike(k, t) for k in known_words) for t in typed_words))
    if (ratio >= RATIO or cut_short
            or contained and (ratio >= CONTAINED_RATIO
                              or len([w for w in typed_words if not w.isdigit()]) <= len(known_words) + 1)):
        # the known name whose every word was typed first, then the one with most words matched, then the closest
        return (0, int(contained), len(known_words) if contained else 0, ratio)
    return None


def near_miss(typed: object, absent: Iterable[T], name=lambda x: x) -> T | None:
    """The absent known name (or the object ``name`` reads one from) that ``typed`` most nearly misses."""
    best, best_score = None, None
    for candidate in absent:
        score = _score(str(typed), name(candidate))
        if score is not None and (best_score is None or score > best_score):
            best, best_score = candidate, score
    return best
