"""Target rows (the columns of tblTargets) → :class:`~regbef_excel.engine.inputs.Targets`: the
one place that decides what a row means, for the workbook reader and for targets computed from
the migration regressions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from regbef_excel.engine.inputs import NET_MIGRATION, POPULATION, TARGET, Targets


@dataclass(frozen=True)
class TargetProblem:
    """A row that cannot be a target: ``row`` as the caller numbered it, ``column`` the key of
    the offending column."""

    row: int
    column: str
    message: str
    found: object = None
    expected: str | None = None


def region_row(zone_code: object) -> bool:
    """An empty zone code (blank, ``None``, NaN) means the region as a whole."""
    return zone_code is None or zone_code == "" or (isinstance(zone_code, float) and math.isnan(zone_code))


def targets_from_rows(
    rows: Iterable[tuple[int, Mapping[str, object]]], zone_codes: Sequence[str], base_year: int, horizon: int
) -> tuple[Targets, list[TargetProblem]]:
    """Targets from rows ``(row number, {year, zone_code, steering, target_type, value})``.

    ``steering`` 1 = target, 2 = trend; ``target_type`` (MÅLTYP) defaults to net migration; an
    empty ``zone_code`` is the region. Years and zones not steered stay trend. Every row that
    cannot be used is a :class:`TargetProblem` (year outside the projection, unknown zone, a
    target without a value, a negative population target) and is left out.
    """
    years = horizon - base_year
    tg = Targets.trend(years, len(zone_codes))
    zpos = {z: k for k, z in enumerate(zone_codes)}
    problems: list[TargetProblem] = []
    for i, rec in rows:
        year, zone, value = int(rec["year"]), rec.get("zone_code"), rec.get("value")  # type: ignore[call-overload]
        t = year - base_year - 1
        if not 0 <= t < years:
            problems.append(TargetProblem(i, "year", "target year outside the projection", year,
                                          f"{base_year + 1}–{horizon}"))  # fmt: skip
            continue
        if not region_row(zone) and str(zone) not in zpos:
            problems.append(TargetProblem(i, "zone_code", "target for an unknown zone", zone,
                                          "a zone of the projection"))  # fmt: skip
            continue
        mode = int(rec["steering"])  # type: ignore[call-overload]
        typ = int(rec.get("target_type") or NET_MIGRATION)  # type: ignore[call-overload]
        if mode == TARGET and value is None:
            problems.append(TargetProblem(i, "value", "a target needs a value", None,
                                          "persons (types 1, 2) or per cent (type 3)"))  # fmt: skip
            continue
        if mode == TARGET and typ == POPULATION and value < 0:  # type: ignore[operator]
            problems.append(TargetProblem(i, "value", "a population target cannot be negative", value,
                                          ">= 0 persons"))  # fmt: skip
            continue
        v = float(value) if value is not None else 0.0  # type: ignore[arg-type]
        if region_row(zone):
            tg.region_mode[t], tg.region_type[t], tg.region_value[t] = mode, typ, v
        else:
            k = zpos[str(zone)]
            tg.zone_mode[t, k], tg.zone_type[t, k], tg.zone_value[t, k] = mode, typ, v
    return tg, problems
