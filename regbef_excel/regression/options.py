"""What a regression call may ask for: option sets in one place with one validator.

The tuples double as the lists behind the workbook's data-validation dropdowns (one source of
truth for what a setting may be).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from regbef_excel.errors import InputError, Location

Method = Literal["pooled", "fe", "fd"]
CovType = Literal["robust", "cluster", "classic"]
BPVariant = Literal["normal", "koenker"]
BPRegressors = Literal["fitted", "rhs"]
FutureYearEffect = Literal["last", "mean", "zero"]
Language = Literal["nb", "en"]

METHODS: tuple[str, ...] = ("pooled", "fe", "fd")
COV_TYPES: tuple[str, ...] = ("robust", "cluster", "classic")
BP_VARIANTS: tuple[str, ...] = ("normal", "koenker")
BP_REGRESSORS: tuple[str, ...] = ("fitted", "rhs")
FUTURE_YEAR_EFFECTS: tuple[str, ...] = ("last", "mean", "zero")
LANGUAGES: tuple[str, ...] = ("nb", "en")

#: Separator of an interaction term in a regressor list: ``"arbeidsledighet:by"`` is the
#: product of the columns ``arbeidsledighet`` and ``by`` (R/patsy syntax).
INTERACTION_SEPARATOR = ":"


def check_option(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``; otherwise raise :class:`InputError`."""
    if not isinstance(value, str) or value not in allowed:
        raise InputError(
            f"unknown {name}",
            location=Location(column=name),
            found=value,
            expected="one of " + ", ".join(repr(a) for a in allowed),
        )
    return value


@dataclass(frozen=True)
class PanelSpec:
    """What one :func:`~regbef_excel.regression.fit_panel` call asked for (travels unchanged)."""

    y: str
    x: tuple[str, ...]
    entity: str | None
    time: str | None
    method: str = "fe"
    cov: str = "robust"
    time_dummies: bool = True

    def __post_init__(self) -> None:
        check_option("method", self.method, METHODS)
        check_option("cov", self.cov, COV_TYPES)
        if self.method in ("fe", "fd") and (self.entity is None or self.time is None):
            if self.entity is None:
                raise InputError(
                    f"method '{self.method}' needs an entity (region) column",
                    location=Location(column="entity"),
                    expected="the name of the region column",
                )
            if self.method == "fd":
                raise InputError(
                    "first differences need a time (year) column",
                    location=Location(column="time"),
                    expected="the name of the year column",
                )
        if self.cov == "cluster" and self.entity is None:
            raise InputError(
                "clustered standard errors need an entity (region) column to cluster on",
                location=Location(column="entity"),
                expected="the name of the region column",
            )
