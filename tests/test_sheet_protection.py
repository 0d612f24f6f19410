"""Sheet protection of input workbooks: sheets protected without a password, exactly the input
cells unlocked (so Tab moves between them), checks and lists locked, and tables that still need
rows left on an unprotected sheet (Excel and LibreOffice cannot grow a table on a protected
sheet). Read back with openpyxl, compared with the schema's column roles."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.io.rows import table_for_rows
from regbef_excel.io.write.styles import INPUT_FILL
from regbef_excel.io.write.template import build_workbook
from regbef_excel.schema import SHEETS, TABLES
from regbef_excel.schema.meta import WorkbookMeta

#: Column roles a planner types into.
INPUT_ROLES = ("input", "comment")


def unlocked(ws) -> set[str]:
    return {c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False}


def input_cells(ws, inputs) -> set[str]:
    """The data cells of the input (and comment) columns of every table on ``ws``, from the
    table objects in the file and the schema's column roles."""
    out = set()
    for name, ref in ws.tables.items():
        if name not in TABLES:
            continue
        c0, r0, _, r1 = range_boundaries(ref)
        for j, col in enumerate(table_for_rows(name, inputs).columns):
            if col.role in INPUT_ROLES:
                out |= {ws.cell(row=r, column=c0 + j).coordinate for r in range(r0 + 1, r1 + 1)}
    return out


def main_table_rows(ws, sheet) -> int:
    """Data rows holding a value in the sheet's main (first) table."""
    c0, r0, c1, r1 = range_boundaries(ws.tables[sheet.tables[0]].ref)
    return sum(any(ws.cell(row=r, column=c).value is not None for c in range(c0, c1 + 1))
               for r in range(r0 + 1, r1 + 1))  # fmt: skip


@pytest.fixture(scope="module")
def filled():
    inputs = add_labour_housing(synthetic_inputs(3, 4))
    meta = WorkbookMeta(provenance=("SSB 07459 (CC BY 4.0)",))
    return inputs, build_workbook(inputs, meta=meta).to_openpyxl()


@pytest.fixture(scope="module")
def empty():
    return build_workbook(None, language="en").to_openpyxl()


def input_sheets():
    return [s for s in SHEETS.values() if s.kind in ("input", "cover")]


def test_exactly_the_input_cells_are_unlocked(filled):
    inputs, wb = filled
    for sheet in input_sheets():
        ws = wb[sheet.label("nb")]
        expected = input_cells(ws, inputs)
        assert unlocked(ws) == expected, sheet.key
    population = wb[SHEETS["population"].label("nb")]
    assert population["C5"].protection.locked is False  # males: an input
    assert population["A5"].protection.locked and population["B5"].protection.locked  # zone, age: keys


def test_unlocked_cells_are_the_yellow_cells(filled):
    _, wb = filled
    cover = SHEETS["cover"].label("nb")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                yellow = str(c.fill.fgColor.rgb).endswith(INPUT_FILL) and c.fill.fill_type == "solid"
                if ws.title == cover and c.value == 1234:
                    assert c.protection.locked is not False  # the legend's sample input cell
                    continue
                assert (c.protection.locked is False) == yellow, f"{ws.title}!{c.coordinate}"


def test_filled_sheets_protected_without_password(filled):
    inputs, wb = filled
    for sheet in SHEETS.values():
        ws = wb[sheet.label("nb")]
        p = ws.protection
        if sheet.kind in ("checks", "lists"):
            assert p.sheet and unlocked(ws) == set(), sheet.key
            continue
        assert p.sheet == (main_table_rows(ws, sheet) > 0), sheet.key
        if p.sheet:
            assert not p.password
            # still allowed: widen columns and rows, filter, sort, select cells
            assert not (p.formatColumns or p.formatRows or p.autoFilter or p.sort)
            assert not (p.selectLockedCells or p.selectUnlockedCells)
            # not allowed: insert or delete rows and columns, format cells
            assert p.insertRows and p.deleteRows and p.insertColumns and p.formatCells
    protected = {s.key for s in SHEETS.values() if wb[s.label("nb")].protection.sheet}
    # with labour and housing inputs only the sheets of unused tables stay open for rows
    assert {"targets", "history"} == {s.key for s in SHEETS.values()} - protected


def test_empty_template_leaves_tables_to_fill_unprotected(empty):
    protected = {s.key for s in SHEETS.values() if empty[s.label("en")].protection.sheet}
    assert {"settings", "fertility", "mortality", "checks", "lists"} <= protected
    for key in ("zones", "population", "migration", "targets", "history", "cover"):
        assert key not in protected, key
    zones = empty[SHEETS["zones"].label("en")]
    assert unlocked(zones) == input_cells(zones, None) != set()  # the one empty row to start from


def test_protection_survives_a_results_copy(tmp_path, filled):
    """Results go into a copy of the input workbook (openpyxl): the input sheets stay protected."""
    _, wb = filled
    path = tmp_path / "copy.xlsx"
    wb.save(path)
    back = openpyxl.load_workbook(path)
    ws = back[SHEETS["population"].label("nb")]
    assert ws.protection.sheet and ws["C5"].protection.locked is False


def test_result_sheets_are_protected_with_only_the_selectors_open():
    """Results are read, not typed over: every result sheet is protected without a password,
    and the only unlocked cells are the yellow selectors (zone and year on the pyramid sheet,
    zone and measure on the uncertainty sheet)."""
    import io

    from regbef_excel.engine import project
    from regbef_excel.io.write.results import result_sheets
    from regbef_excel.schema import outputs as S

    p = project(synthetic_inputs(3, 4, seed=1))
    wb = openpyxl.load_workbook(io.BytesIO(result_sheets(p)))
    open_cells = {}
    for ws in wb.worksheets:
        assert ws.protection.sheet and not ws.protection.password, ws.title
        assert ws.protection.autoFilter is False and ws.protection.formatColumns is False  # allowed
        if cells := unlocked(ws):
            open_cells[ws.title] = cells
    assert open_cells == {S.PYRAMID.name.get("nb"): {"B4", "B5"}, S.UNCERTAINTY.name.get("nb"): {"M4", "M5"}}
    for title, cells in open_cells.items():
        assert all(wb[title][c].fill.fgColor.rgb.endswith(INPUT_FILL) for c in cells)
