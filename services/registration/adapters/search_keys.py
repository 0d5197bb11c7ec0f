"""Precomputed search keys: what partner search and school search look up, derived once when
a document is written so that every query shape is one equality on an indexed key.

Partner search (`partner_keys`, only on VALIDATED teachers, R-REG-4): one key per value of
each criterion and one per pair of criteria, e.g. "c:ES", "s:art", "l:fr", "a:12",
"c:ES+s:art", "l:fr+a:12"; and "p:<prefix>" for 3..6-character prefixes of each word of the
school's name and town. Pairs are precomputed because the planner cannot intersect two index
scans cheaply (MongoDB rarely picks AND_SORTED; SecantusDB never does): without them a rare
combination of two frequent values scans one whole value's list. Prefixes are not paired
(that would multiply the keys by ten); a prefix with another criterion is refined after the
prefix's own key (services/registration/adapters/partner_search.py).

`partner_order` orders results, newest validation first: the validation time, then the id,
in one fixed-width string (a cursor is that string; a page is a range on it).
"""

from __future__ import annotations

from datetime import datetime
from itertools import combinations

from services.registration.domain.model import Teacher, TeacherStatus, normalized

PREFIX_SHORTEST = 3
PREFIX_INDEXED = 6
# Criteria in the order their keys are paired ("c:ES+s:art", never "s:art+c:ES").
KINDS = ("c", "s", "l", "a")
ORDER_TIME = "%Y%m%dT%H%M%S.%f"
AGES = range(0, 100)


def criterion_key(kind: str, value: str | int) -> str:
    return f"{kind}:{value}"


def pair_key(first: str, second: str) -> str:
    """The key of two criteria, whatever order they are given in."""
    ordered = sorted((first, second), key=lambda key: KINDS.index(key.split(":", 1)[0]))
    return "+".join(ordered)


def words_of(*texts: str) -> list[str]:
    return [word for text in texts for word in normalized(text).split()]


def prefix_keys(*texts: str) -> list[str]:
    """ "p:" and the first 3..6 characters of every word (a word of 2 is its own key)."""
    keys: set[str] = set()
    for word in words_of(*texts):
        for length in range(PREFIX_SHORTEST, min(len(word), PREFIX_INDEXED) + 1):
            keys.add(criterion_key("p", word[:length]))
        if len(word) < PREFIX_SHORTEST:
            keys.add(criterion_key("p", word))
    return sorted(keys)


def word_starts(*texts: str) -> list[str]:
    """The normalized text from each word on ("ies severo ochoa", "severo ochoa", "ochoa"):
    a longer prefix than the indexed one, even across words, is checked against these."""
    starts: dict[str, None] = {}
    for text in texts:
        words = normalized(text).split()
        for index in range(len(words)):
            starts.setdefault(" ".join(words[index:]), None)
    return list(starts)


def partner_keys(teacher: Teacher) -> list[str]:
    if teacher.status is not TeacherStatus.VALIDATED:
        return []
    by_kind: dict[str, list[str]] = {
        "c": [criterion_key("c", teacher.country)],
        "s": sorted({criterion_key("s", normalized(s)) for s in teacher.subjects} - {"s:"}),
        "l": sorted({criterion_key("l", normalized(s)) for s in teacher.languages} - {"l:"}),
        "a": [criterion_key("a", age) for age in teacher_ages(teacher)],
    }
    singles = [key for kind in KINDS for key in by_kind[kind]]
    pairs = [
        f"{first}+{second}"
        for kind_a, kind_b in combinations(KINDS, 2)
        for first in by_kind[kind_a]
        for second in by_kind[kind_b]
    ]
    return singles + pairs + prefix_keys(teacher.school_name, teacher.school_town)


def teacher_ages(teacher: Teacher) -> range:
    """The pupils' ages the teacher teaches; none when the profile does not say."""
    if teacher.pupil_age_min is None and teacher.pupil_age_max is None:
        return range(0)
    low = teacher.pupil_age_min if teacher.pupil_age_min is not None else AGES.start
    high = teacher.pupil_age_max if teacher.pupil_age_max is not None else AGES.stop - 1
    return range(low, high + 1)


def order_value(moment: datetime | None, teacher_id: str) -> str:
    """Newest first is descending order of this string (fixed width, so it sorts as time)."""
    return f"{order_time(moment)}|{teacher_id}"


def order_time(moment: datetime | None) -> str:
    return (moment or datetime(1970, 1, 1)).strftime(ORDER_TIME)


def school_name_key(country: str, name: str) -> str:
    """School search by name within a country is a range on this one string."""
    return f"{country}|{normalized(name)}"


def school_town_key(country: str, town: str, name: str) -> str:
    return f"{country}|{normalized(town)}|{normalized(name)}"
