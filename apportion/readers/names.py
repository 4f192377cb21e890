"""Near misses: a sheet name, header or BOCES item typed almost like a known one that is absent.

docs/formats.md matches names ignoring case and extra spaces; anything else that is
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
  ``valuation`` for ``value``), in any order, whatever else it says: a header
  that explains itself is still the column it names (``Prior year units`` for
  ``Prior units``, ``District code (BEDS)``, ``Full valuation``, ``Email
  address``, ``Units current``, ``Unit cost basis (anticipated/current/2-yr)``,
  ``Surplus to be returned to districts``, ``Vote on admin budget`` for
  ``Budget vote``, ``Payments in lieu of taxes (PILOTs)``);
* every typed word is a word of the known name and they are at least half of its
  words (``or``, ``of`` … aside) — a name cut short (``Credit`` for ``Credit or
  certificate``, ``Start`` for ``Start date``, ``Vote`` for ``Budget vote``, not
  ``Total`` for ``Prior year total charges``), at least :data:`SHORTEST` letters;
* the typed name is the known name's initials (``SWD`` for ``Students with
  disabilities``);
* or they are a small edit apart: one letter added, dropped, changed or two
  swapped in a name of :data:`ONE_EDIT_LETTERS` letters or more (``Tpye``,
  ``Tipe`` for ``Type``; ``Staf`` for ``Staff``), or a
  :class:`difflib.SequenceMatcher` ratio of at least :data:`RATIO`
  (``Enrolment`` for ``Enrollment``).

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
#: the fewest letters a name cut short must keep to be a near miss (``PD`` is no near miss of ``Shared PD``)
SHORTEST = 4
#: names of at least this many letters are near misses one edit apart (shorter ones are too alike:
#: ``Fee``/``Few``)
ONE_EDIT_LETTERS = 4
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


def edits(a: str, b: str) -> int:
    """Letters added, dropped or changed, or adjacent pairs swapped, between ``a`` and ``b`` (optimal string
    alignment distance): ``Tpye`` is one edit from ``Type``, where difflib's ratio sees two."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _score(typed: str, known: str) -> tuple[int, int, float] | None:
    """How close ``typed`` is to ``known`` (higher is closer), or None when it is not a near miss."""
    typed_words, known_words = words(typed), words(known)
    typed_letters, known_letters = "".join(typed_words), "".join(known_words)  # fold() of each
    if typed_letters == known_letters:
        return (1, 1, 1.0)
    ratio = difflib.SequenceMatcher(None, normalise(typed), normalise(known)).ratio()
    contained = all(any(_alike(k, t) for t in typed_words) for k in known_words)
    meaning = [k for k in known_words if k not in LINKING]
    cut_short = (len(typed_letters) >= SHORTEST and 2 * len(set(typed_words) - LINKING) >= len(meaning)
                 and all(any(_alike(k, t) for k in known_words) for t in typed_words))
    initials = len(known_words) >= 2 and typed_letters == "".join(w[0] for w in known_words)
    one_edit = (min(len(typed_letters), len(known_letters)) >= ONE_EDIT_LETTERS
                and edits(typed_letters, known_letters) <= 1)
    if ratio >= RATIO or cut_short or initials or one_edit or contained:
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
