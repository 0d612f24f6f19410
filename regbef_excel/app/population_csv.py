"""Projected population as a long CSV file for analysts and scripts (``--csv FILE``).

Exactly the columns ``zone_code, zone_name, year, sex, age, population``: one row per zone ×
year × sex × age; ``sex`` is ``male`` or ``female``; ``age`` is the age on 31 December, the last
age is the open group (that age and older); ``year`` is the calendar year whose 31 December the
population describes (the base year first). Comma-separated, UTF-8, ``.`` as the decimal mark,
population unrounded; zone codes are written as text (leading zeros kept).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from regbef_excel.engine import Projection
from regbef_excel.errors import InputError, Location
from regbef_excel.files import same_file

CSV_COLUMNS = ("zone_code", "zone_name", "year", "sex", "age", "population")
SEX_NAMES = {"M": "male", "F": "female"}


def population_frame(projection: Projection):  # noqa: ANN201 - pandas.DataFrame
    """The long table written by :func:`write_population_csv`."""
    df = projection.population_long()
    df["sex"] = df["sex"].map(SEX_NAMES)
    df["zone_code"] = df["zone_code"].astype(str)
    return df[list(CSV_COLUMNS)]


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
    return path


def write_population_csv(projection: Projection, path: str | os.PathLike[str], *,
                         inputs_to_keep: tuple[str | os.PathLike[str], ...] = ()) -> Path:
    """Write the projected population to ``path`` (atomically: a temporary file, then rename).

    ``inputs_to_keep``: the run's input files; writing over one of them is refused.
    """
    path = check_csv_path(path, inputs_to_keep=inputs_to_keep)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".csv", dir=path.parent)
    os.close(fd)
    try:
        population_frame(projection).to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
