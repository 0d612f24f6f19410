"""Age groups of every output: SSB's standard groups, service sums and dependency ratios.

The one place that names the groups a planner reads (the age-group sheet, the key figures, the
scenario comparison, the back-test, the SSB comparison and ``REGBEF_AGEGROUPS``). The ages are
SSB's standard groups for municipal planning (those of SSB's population projections), so our
tables compare with SSB's line by line; their numbers come from
:data:`regbef_excel.engine.results.SSB_AGE_GROUPS` because the engine and the evaluation layer
(below this contract) compute with them. Labels are Norwegian bokmål (default) and English.
"""

from __future__ import annotations

from dataclasses import dataclass

from regbef_excel.engine.results import OPEN_AGE, SERVICE_SUMS, SSB_AGE_GROUPS
from regbef_excel.schema.outputs import Text


@dataclass(frozen=True)
class AgeGroup:
    """One age group: key, first and last age (``last`` ≥ 10 000 = open), label nb/en."""

    key: str
    first: int
    last: int
    label: Text

    @property
    def is_open(self) -> bool:
        return self.last >= OPEN_AGE


def _span(first: int, last: int) -> tuple[str, str]:
    if last >= OPEN_AGE:
        return f"{first} år og eldre", f"{first} and older"
    if first == last:
        return f"{first} år", f"Age {first}"
    return f"{first}–{last} år", f"{first}–{last}"


#: What each group is for (shown after the ages).
_PURPOSE: dict[str, Text] = {
    "0": Text("helsestasjon", "health centre"),
    "1-5": Text("barnehage", "kindergarten"),
    "6-12": Text("barneskole", "primary school"),
    "13-15": Text("ungdomsskole", "lower secondary"),
    "16-19": Text("videregående", "upper secondary"),
    "6-15": Text("grunnskole", "compulsory school"),
    "67+": Text("pensjonister", "pensioners"),
    "80+": Text("eldreomsorg", "elderly care"),
}


def _group(key: str, first: int, last: int) -> AgeGroup:
    nb, en = _span(first, last)
    purpose = _PURPOSE.get(key)
    if purpose is not None:
        nb, en = f"{nb} ({purpose.nb})", f"{en} ({purpose.en})"
    return AgeGroup(key, first, last, Text(nb, en))


#: SSB's standard age groups (the main table), in age order.
STANDARD_GROUPS: tuple[AgeGroup, ...] = tuple(_group(k, lo, hi) for k, (lo, hi) in SSB_AGE_GROUPS.items())
#: Sums planners quote: kindergarten 1–5, compulsory school 6–15, upper secondary 16–19, 67+, 80+, 90+.
SERVICE_SUM_GROUPS: tuple[AgeGroup, ...] = tuple(_group(k, lo, hi) for k, (lo, hi) in SERVICE_SUMS.items())
#: Dependency ratios, shown per 100 persons aged 20–66.
DEPENDENCY_LABELS: dict[str, Text] = {
    "young": Text("0–19 år per 100 i alderen 20–66", "0–19 per 100 aged 20–66"),
    "old": Text("67+ år per 100 i alderen 20–66", "67+ per 100 aged 20–66"),
    "total": Text("0–19 og 67+ år per 100 i alderen 20–66", "0–19 and 67+ per 100 aged 20–66"),
}  # fmt: skip

GROUPS_BY_KEY: dict[str, AgeGroup] = {g.key: g for g in STANDARD_GROUPS}
#: Caption rows of the age-group tables.
CAPTIONS: dict[str, Text] = {
    "standard": Text("SSBs standard aldersgrupper", "SSB's standard age groups"),
    "sums": Text("Summer for tjenesteplanlegging", "Sums for service planning"),
    "ratios": Text("Forsørgerbrøker", "Dependency ratios"),
    "all_ages": Text("Alle aldre", "All ages"),
}


def group_bounds(groups: tuple[AgeGroup, ...] = STANDARD_GROUPS) -> dict[str, tuple[int, int]]:
    """``key -> (first, last)`` of ``groups`` (the form the engine sums with)."""
    return {g.key: (g.first, g.last) for g in groups}


def label(key: str, language: str) -> str:
    """The label of a standard group ``key`` in ``language``."""
    return GROUPS_BY_KEY[key].label.get(language)


def group_for_ages(first: int, last: int | None) -> AgeGroup | None:
    """The standard group spanning ``first``..``last`` (``None`` = open), or ``None``."""
    for g in STANDARD_GROUPS:
        if g.first == first and ((last is None and g.is_open) or g.last == last):
            return g
    return None


__all__ = [
    "CAPTIONS",
    "DEPENDENCY_LABELS",
    "GROUPS_BY_KEY",
    "SERVICE_SUM_GROUPS",
    "STANDARD_GROUPS",
    "AgeGroup",
    "group_bounds",
    "group_for_ages",
    "label",
]
