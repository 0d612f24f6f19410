"""The engine names input fields in its errors, never sheets; the run points them at the sheet
and cell of the workbook, under the sheet's name in the workbook's language."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from support.synthetic import synthetic_inputs

import regbef_excel.engine
from regbef_excel.app.projection import run_workbook
from regbef_excel.engine import project
from regbef_excel.engine.inputs import NET_MIGRATION, TARGET, Targets
from regbef_excel.errors import InputError
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.schema import SHEETS


def _target_beyond_reach():
    inp = synthetic_inputs(3, 4, seed=1)
    inp.variant = 2
    tg = Targets.trend(inp.n_years, inp.n_zones)
    tg.zone_mode[2, 1] = TARGET
    tg.zone_type[2, 1], tg.zone_value[2, 1] = NET_MIGRATION, -1e6
    inp.targets = tg
    return inp


def test_engine_error_names_the_field():
    inp = _target_beyond_reach()
    with pytest.raises(InputError) as exc:
        project(inp)
    year, zone = inp.base_year + 3, inp.zone_codes[1]
    loc = exc.value.location
    assert (loc.sheet, loc.table, loc.row, loc.column) == (None, "targets", year, zone)
    assert f"{year}: the target for zone {zone} needs negative in-migration" in exc.value.message


@pytest.mark.parametrize("language", ["en", "nb"])
def test_run_names_the_target_cell_in_the_workbooks_language(tmp_path, language):
    inp = _target_beyond_reach()
    path = save_workbook(build_workbook(inp, language=language), tmp_path / "in.xlsx")
    with pytest.raises(InputError) as exc:
        run_workbook(path, tmp_path / "out.xlsx")
    sheet = SHEETS["targets"].label(language)
    assert exc.value.location.sheet == sheet and exc.value.location.table == "tblTargets"
    m = re.match(rf"{sheet}!([A-Z]+)(\d+), table tblTargets", exc.value.one_line())
    assert m, exc.value.one_line()
    row = [c.value for c in openpyxl.load_workbook(path, read_only=True)[sheet][int(m[2])]]
    assert inp.base_year + 3 in row and inp.zone_codes[1] in row and -1e6 in row  # the target's own row
    assert not (tmp_path / "out.xlsx").exists()


def test_engine_source_has_no_sheet_names():
    names = {s.label(lang) for s in SHEETS.values() for lang in ("nb", "en")}
    for path in Path(regbef_excel.engine.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = sorted(n for n in names if f'"{n}"' in text or f"'{n}'" in text)
        assert not found, f"{path.name} names sheets {found}: name the input field instead"
