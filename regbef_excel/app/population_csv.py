"""Projected population as a long CSV file for analysts and scripts (``--csv FILE``).

Exactly the columns ``zone_code, zone_name, year, sex, age, population``: one row per zone ×
year × sex × age; ``sex`` is ``male`` or ``female``; ``age`` is the age on 31 December, the last
age is the open group (that age and older); ``year`` is the calendar year whose 31 December the
population describes (the base year first). Comma-separated, UTF-8, ``.`` as the decimal mark,
population unrounded; zone codes are written as text (leading zeros kept).

The prediction intervals are for totals (all ages and the service groups), not for single ages,
so they go to a second file beside it, ``FILE-intervals.csv`` (``befolkning.csv`` →
``befolkning-intervals.csv``) with the columns :data:`INTERVAL_CSV_COLUMNS`: one row per zone
(the region with an empty ``zone_code``), year and measure (``total``, ``1-5``, ``6-15``,
``67+``, ``80+``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from regbef_excel.engine import Projection
from regbef_excel.errors import InputError, Location
from regbef_excel.evaluation.calibrate import intervals_of_projection
from regbef_excel.files import atomic_path, same_file

CSV_COLUMNS = ("zone_code", "zone_name", "year", "sex", "age", "population")
INTERVAL_CSV_COLUMNS = ("zone_code", "zone_name", "year", "horizon", "measure", "projected",
                        "lower80", "upper80", "lower95", "upper95")  # fmt: skip
SEX_NAMES = {"M": "male", "F": "female"}


def population_frame(projection: Projection):  # noqa: ANN201 - pandas.DataFrame
    """The long table written by :func:`write_population_csv`."""
    df = projection.population_long()
    df["sex"] = df["sex"].map(SEX_NAMES)
    df["zone_code"] = df["zone_code"].astype(str)
    return df[list(CSV_COLUMNS)]


def interval_csv_path(path: str | os.PathLike[str]) -> Path:
    """The intervals file beside the population CSV ``path``: ``<stem>-intervals.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-intervals.csv")


def interval_frame(projection: Projection, intervals: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table of ``FILE-intervals.csv`` (:data:`INTERVAL_CSV_COLUMNS`)."""
    df = intervals_of_projection(projection) if intervals is None else intervals
    df = df.assign(zone_code=df["zone_code"].astype(str))
    return df[list(INTERVAL_CSV_COLUMNS)]


def check_csv_path(path: str | os.PathLike[str], *, inputs_to_keep=(), outputs=()) -> Path:  # noqa: ANN001
    """Refuse a CSV path that names an input or output workbook or a spreadsheet (before any
    work, so a bad ``--csv`` leaves nothing written)."""
    path = Path(path)
    for other in (*inputs_to_keep, *outputs):
        if other is not None and same_file(path, other):
            raise InputError("the CSV file must differ from the workbooks of the command",
                             location=Location(cell=str(path)), found=str(path))  # fmt: skip
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlam", ".ods"):
        raise InputError("--csv needs a .csv file name", location=Location(cell=str(path)),
                         found=path.name, expected="e.g. befolkning.csv")  # fmt: skip
    for other in (*inputs_to_keep, *outputs):
        if other is not None and same_file(interval_csv_path(path), other):
            raise InputError("the intervals CSV beside --csv would overwrite a workbook of the command",
                             location=Location(cell=str(interval_csv_path(path))), found=str(other))  # fmt: skip
    return path


def write_population_csv(projection: Projection, path: str | os.PathLike[str], *,
                         inputs_to_keep: tuple[str | os.PathLike[str], ...] = (),
                         intervals: pd.DataFrame | None = None) -> Path:
    """Write the projected population to ``path`` and its prediction intervals to
    :func:`interval_csv_path` (each atomically: a temporary file, then rename; the intervals
    file first, so a population CSV never stands without its intervals).

    ``inputs_to_keep``: the run's input files; writing over one of them is refused.
    ``intervals``: the projection's intervals if already computed (default: the shipped
    calibration's).
    """
    path = check_csv_path(path, inputs_to_keep=inputs_to_keep)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(interval_frame(projection, intervals), interval_csv_path(path))
    _write_atomic(population_frame(projection), path)
    return path


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
