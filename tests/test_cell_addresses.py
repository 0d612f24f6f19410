"""The schema's own cell-address functions (the schema imports no spreadsheet library) agree
with openpyxl's on every column Excel has."""

from __future__ import annotations

import pytest
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from regbef_excel.schema.layout import MAX_COLUMN, column_index, column_letter, split_cell


def test_every_column_letter_and_index_agree_with_openpyxl():
    for i in range(1, MAX_COLUMN + 1):
        letters = column_letter(i)
        assert letters == get_column_letter(i)
        assert column_index(letters) == column_index_from_string(letters) == i
    assert (column_letter(1), column_letter(26), column_letter(27), column_letter(MAX_COLUMN)) == ("A", "Z", "AA", "XFD")


@pytest.mark.parametrize("ref", ["A1", "AB12", "XFD1048576", "$C$7", "c7"])
def test_split_cell(ref):
    assert split_cell(ref) == coordinate_from_string(ref.replace("$", "").upper())


@pytest.mark.parametrize("bad", [0, -1, MAX_COLUMN + 1])
def test_column_letter_outside_excel(bad):
    with pytest.raises(ValueError):
        column_letter(bad)


@pytest.mark.parametrize("bad", ["", "A1", "XFE", "Ø"])
def test_column_index_rejects_non_columns(bad):
    with pytest.raises(ValueError):
        column_index(bad)


@pytest.mark.parametrize("bad", ["A0", "1A", "A", "ABCD1", "A1:B2"])
def test_split_cell_rejects_non_cells(bad):
    with pytest.raises(ValueError):
        split_cell(bad)
