"""Municipality templates: `regbef-excel templates`.

A whole county (Telemark, 17 municipalities) is written once per module and every workbook is
read back and validated; the batched generation is compared with generating one municipality
alone; bad codes leave nothing behind; a filled template runs through the CLI.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from regbef_excel import cli, data
from regbef_excel.app.templates import (
    plan_templates,
    resolve_codes,
    safe_file_stem,
    write_templates,
)
from regbef_excel.errors import InputError
from regbef_excel.io.read.projection import read_workbook, validate_workbook
from regbef_excel.io.write.templates import conf_rows

TELEMARK = "40"


@pytest.fixture(scope="module")
def telemark(tmp_path_factory):
    out = tmp_path_factory.mktemp("templates") / "telemark"
    return write_templates(out, county=TELEMARK, jobs=2)


def _table_cells(ws, name: str):
    ref = ws.tables[name].ref
    return ws[ref]


def _settings_value_cell(wb, key: str):
    for ws in wb.worksheets:
        if "tblSettings" in ws.tables:
            rows = _table_cells(ws, "tblSettings")
            header = [c.value for c in rows[0]]
            for row in rows[1:]:
                if row[0].value == key:
                    col = [i for i, h in enumerate(header) if str(h).startswith(("Verdi", "Value"))]
                    return row[col[0]]
    raise KeyError(key)


# --------------------------------------------------------------------------------------------
# a whole county
# --------------------------------------------------------------------------------------------
def test_county_writes_one_workbook_per_municipality(telemark):
    codes = data.municipality_codes(TELEMARK)
    assert len(telemark.paths) == len(codes) == 17
    assert [p.name.split("-", 1)[0] for p in telemark.paths] == codes
    assert telemark.out_dir.joinpath("4001-Porsgrunn.xlsx").is_file()
    assert telemark.out_dir.joinpath("4014-Kragero.xlsx").is_file()
    # nothing else in the folder (no staging leftovers)
    written = sorted(p.name for p in telemark.paths)
    assert sorted(p.name for p in telemark.out_dir.iterdir()) == written
    for p in telemark.paths:
        assert p.name.isascii() and " " not in p.name
        with zipfile.ZipFile(p) as z:  # macro-free
            assert not any("vbaProject" in n for n in z.namelist())
    assert set(telemark.seconds) >= {"generate", "build", "save", "write", "total"}
    # the county context is said on every cover (a note), not repeated as a warning per template
    assert not any("fylkessammenheng" in w for w in telemark.warnings)


def test_every_template_reads_back_and_validates(telemark):
    names = dict(zip(data.municipality_codes(TELEMARK),
                     data.municipalities().set_index("municip_code").loc[
                         data.municipality_codes(TELEMARK), "name"], strict=True))  # fmt: skip
    for path in telemark.paths:
        assert validate_workbook(path) == [], path.name
        inputs, meta = read_workbook(path)
        code = path.name[:4]
        assert inputs.zone_codes == (code,)
        assert meta.region_name == f"{code} {names[code]}"
        assert inputs.base_year == 2025 and inputs.horizon == 2050
        assert (meta.estimation_start, meta.estimation_end) == (2016, 2025)
        # real SSB base population: 1 January 2026
        assert np.array_equal(inputs.population, data.population_array([code], 2026).astype(float))
        assert inputs.targets is None
        # Telemark (the demo's generation) carries the demo's dwellings (SSB) and building programme
        assert inputs.housing is not None and inputs.housing.stock_by_type.sum() > 0
        assert inputs.housing.building.shape == (25, 1)


def test_template_contents(telemark):
    path = telemark.out_dir / "4001-Porsgrunn.xlsx"
    wb = openpyxl.load_workbook(path)
    # name and code in the document properties
    assert "4001 Porsgrunn" in wb.properties.title and wb.properties.subject == "4001 Porsgrunn"
    custom = {p.name: p.value for p in wb.custom_doc_props}
    assert custom["REGBEF_region_codes"] == "4001"
    assert custom["REGBEF_template_kind"] == "municipality"
    # the cover: name and instructions for the add-in and the command line
    cover = wb.worksheets[0]
    text = "\n".join(str(c.value) for row in cover.iter_rows() for c in row if c.value is not None)
    assert "4001 Porsgrunn" in text
    assert "regbef-excel run 4001-Porsgrunn.xlsx -o 4001-Porsgrunn-resultat.xlsx" in text
    assert "REGBEF" in text and "regbef.conf" in text
    # an empty target table and the building programme (Telemark: one row per year), with data
    # validation over their capacity
    for table, n_rows in (("tblTargets", 1), ("tblBuilding", 25)):
        ws = next(ws for ws in wb.worksheets if table in ws.tables)
        rows = _table_cells(ws, table)
        assert len(rows) == n_rows + 1, table
        assert all(c.value is None for c in rows[1]) == (table == "tblTargets"), table
        first_col = rows[1][0].column_letter
        sq = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
        assert any(s.startswith(f"{first_col}{rows[1][0].row}:") for s in sq), (table, sq)
    # checks and the master check name
    assert "REGBEF_MASTER_CHECK" in wb.defined_names
    # regbef.conf: the rows of workbook/regbef.conf in A/B down to the first blank row (what
    # xlwings' VBA reads), no empty values, no interpreter key (the user file holds it)
    conf = wb["regbef.conf"]
    rows = []
    r = 1
    while conf.cell(row=r, column=1).value:
        rows.append((conf.cell(row=r, column=1).value, conf.cell(row=r, column=2).value))
        r += 1
    assert rows == conf_rows() and ("USE UDF SERVER", "False") in rows
    assert all(v not in (None, "") for _, v in rows)
    assert not any(k.upper().startswith("INTERPRETER") for k, _ in rows)
    assert wb.sheetnames[-1] == "regbef.conf"


# --------------------------------------------------------------------------------------------
# text is data: a name or comment that looks like a formula is stored as a string
# --------------------------------------------------------------------------------------------
FORMULA_LIKE = ("=1+1", '=HYPERLINK("http://example.invalid","klikk")', "=SUM(A1:A9)", "+1-2", "@now")


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist()
                if n.startswith("xl/worksheets/sheet")}  # fmt: skip


def test_text_that_looks_like_a_formula_is_stored_as_text(tmp_path):
    import re

    from support.synthetic import synthetic_inputs

    from regbef_excel.app.templates import TemplateSpec, build_template
    from regbef_excel.schema.meta import WorkbookMeta

    inp = synthetic_inputs(len(FORMULA_LIKE), 3)
    inp = inp.replace(zone_names=FORMULA_LIKE)
    meta = WorkbookMeta(region_name="=1+1", estimation_start=2016, estimation_end=2025)
    spec = TemplateSpec(("=1+1",), "=1+1", "x.xlsx", "municipality", "40", "=2*3")
    path = tmp_path / "x.xlsx"
    build_template(inp, meta, spec).save(path)
    formulas = []
    for name, xml in _sheet_xml(path).items():
        formulas += [(name, f) for f in re.findall(r"<f>(.*?)</f>", xml)]
    # formulas only where the builder makes them: the checks sheet and the cover's master check
    assert formulas and all(not any(t in f for t in FORMULA_LIKE) for _, f in formulas), formulas
    cover_formulas = [f for n, f in formulas if n.endswith("sheet1.xml")]
    assert cover_formulas == ['IF(REGBEF_MASTER_CHECK=0,"OK","SE KONTROLLER: "&amp;REGBEF_MASTER_CHECK)']
    wb = openpyxl.load_workbook(path)
    zones = next(ws for ws in wb.worksheets if "tblZones" in ws.tables)
    names = [row[1].value for row in _table_cells(zones, "tblZones")[1:]]
    assert names == list(FORMULA_LIKE)
    assert all(row[1].data_type == "s" for row in _table_cells(zones, "tblZones")[1:])
    text = [c.value for row in wb.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert "REGBEF – regional befolkningsframskriving – =1+1" in text
    assert {p.name: p.value for p in wb.custom_doc_props}["REGBEF_region_name"] == "=1+1"
    inputs, meta_back = read_workbook(path)
    assert inputs.zone_names == FORMULA_LIKE and meta_back.region_name == "=1+1"


def test_template_layout(telemark):
    """Freeze panes, print set-up, column widths, input cells unlocked, names and properties."""
    wb = openpyxl.load_workbook(telemark.out_dir / "4001-Porsgrunn.xlsx")
    pop = wb["Befolkning"]
    assert pop.freeze_panes == "A5" and pop.print_title_rows == "$4:$4"
    assert pop.page_setup.paperSize == 9 and pop.page_setup.fitToWidth in (None, 1)  # 1 = default
    assert pop.page_setup.fitToHeight == 0
    assert pop.sheet_properties.pageSetUpPr.fitToPage
    assert pop.column_dimensions["C"].width > 8
    assert pop["C5"].protection.locked is False and pop["A5"].protection.locked is True  # key locked
    assert pop["C5"].fill.fgColor.rgb.endswith("FFF2CC")
    checks = wb["Kontroller"]
    assert checks["C5"].number_format == "#,##0" and checks["C5"].protection.locked is True
    assert checks.page_setup.orientation == "landscape"
    assert set(wb.defined_names) == {"REGBEF_MASTER_CHECK", "REGBEF_SCHEMA_VERSION", "Inndata"}
    inputs_name = wb.defined_names["Inndata"].attr_text  # =REGBEF_RUN(Inndata) depends on every input sheet
    assert inputs_name.startswith("COUNTA(") and "'Befolkning'!$1:$1048576" in inputs_name
    assert wb.properties.category == "REGBEF-mal" and "4001" in wb.properties.keywords
    custom = {p.name for p in wb.custom_doc_props}
    assert {"REGBEF_schema_version", "REGBEF_created", "REGBEF_county", "REGBEF_base_year"} <= custom


# --------------------------------------------------------------------------------------------
# names and selection
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Porsgrunn", "Porsgrunn"),
        ("Kragerø", "Kragero"),
        ("Herøy (Nordland)", "Heroy-Nordland"),
        ("Ålesund", "Alesund"),
        ("Guovdageaidnu - Kautokeino", "Guovdageaidnu-Kautokeino"),
        ("Porsanger - Porsáŋgu - Porsanki", "Porsanger-Porsangu-Porsanki"),
        ("Bø (Telemark)", "Bo-Telemark"),
    ],
)
def test_safe_file_stem(name, stem):
    assert safe_file_stem(name) == stem


def test_all_file_names_unique_and_ascii():
    specs = plan_templates(resolve_codes(all_municipalities=True))
    names = [s.file_name for s in specs]
    assert len(names) == 357 == len(set(names))
    assert all(n.isascii() and " " not in n for n in names)


def test_resolve_codes():
    assert resolve_codes(codes="4001, 301,4001") == ["4001", "0301"]
    assert resolve_codes(county=40) == data.municipality_codes("40")
    assert len(resolve_codes(county="3,40")) == 1 + 17
    with pytest.raises(InputError, match="exactly one"):
        resolve_codes(county="40", codes="4001")
    with pytest.raises(InputError) as exc:
        resolve_codes(codes="4001,9999")
    assert "9999" in str(exc.value)


# --------------------------------------------------------------------------------------------
# bad input: one readable error, nothing written
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "code"), [(["--codes", "4001,9999"], "9999"), (["--county", "77"], "77")]
)
def test_unknown_code_cli_error_and_nothing_written(tmp_path, capsys, args, code):
    out = tmp_path / "maler"
    assert cli.main(["templates", *args, "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("regbef-excel:") and code in err and "\n" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_years_rejected_before_writing(tmp_path):
    with pytest.raises(InputError, match="base year"):
        write_templates(tmp_path / "x", codes="4001", base_year=2030)
    with pytest.raises(InputError, match="horizon"):
        write_templates(tmp_path / "x", codes="4001", horizon=2020)
    assert list(tmp_path.iterdir()) == []


def test_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    from regbef_excel.app import templates
    existing = tmp_path / "maler"
    existing.mkdir()
    (existing / "mine.txt").write_text("keep")
    real = templates._build_and_save
    calls = []

    def flaky(task):
        calls.append(task)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(task)

    monkeypatch.setattr(templates, "_build_and_save", flaky)
    with pytest.raises(OSError, match="disk full"):
        write_templates(existing, codes="4001,4003,4005", jobs=1)
    assert sorted(p.name for p in existing.iterdir()) == ["mine.txt"]  # no template, no staging


# --------------------------------------------------------------------------------------------
# per region, English
# --------------------------------------------------------------------------------------------
def test_per_region(tmp_path):
    res = write_templates(tmp_path / "regioner", codes="0301,4001,4003", per="region",
                          language="en")  # fmt: skip
    assert [p.name for p in res.paths] == ["03-Oslo.xlsx", "40-Telemark-utvalg.xlsx"]
    inputs, meta = read_workbook(res.paths[1])
    assert inputs.zone_codes == ("4001", "4003")
    assert meta.region_name == "40 Telemark (utvalg)" and meta.language == "en"
    assert validate_workbook(res.paths[1]) == []
    wb = openpyxl.load_workbook(res.paths[1], read_only=True)
    assert wb.sheetnames[0] == "Cover" and "regbef.conf" in wb.sheetnames
    wb.close()


def test_cli_per_region_whole_county(tmp_path, capsys):
    out = tmp_path / "fylke"
    args = ["templates", "--county", "40", "--per", "region", "--out", str(out), "-q"]
    assert cli.main(args) == 0
    assert [p.name for p in out.iterdir()] == ["40-Telemark.xlsx"]
    inputs, _ = read_workbook(out / "40-Telemark.xlsx")
    assert inputs.zone_codes == tuple(data.municipality_codes("40"))
    assert "1 template(s)" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# round trip: template -> fill -> regbef-excel run -> outputs
# --------------------------------------------------------------------------------------------
def test_round_trip_fill_target_and_run(telemark, tmp_path, capsys):
    src = telemark.out_dir / "4003-Skien.xlsx"
    filled = tmp_path / "skien-mal.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = next(ws for ws in wb.worksheets if "tblTargets" in ws.tables)
    row = _table_cells(ws, "tblTargets")[1]
    # region target: population 31 Dec 2030 = 60 000 (type 2), steering 1 = target
    for cell, value in zip(row, (2030, "4003", 1, 2, 60000, "test"), strict=True):
        cell.value = value
    _settings_value_cell(wb, "variant").value = 2
    wb.save(filled)
    result = tmp_path / "skien-resultat.xlsx"
    assert cli.main(["run", str(filled), "-o", str(result), "-q"]) == 0
    assert result.is_file()
    out = openpyxl.load_workbook(result, read_only=True)
    names = out.sheetnames
    out.close()
    assert len(names) > len(openpyxl.load_workbook(src, read_only=True).sheetnames)
    from regbef_excel.app.projection import run_workbook

    outcome = run_workbook(filled, tmp_path / "again.xlsx")
    proj = outcome.projection
    t = list(proj.years).index(2030)
    assert float(proj.population[t].sum()) == pytest.approx(60000, rel=1e-3)
    trend = run_workbook(src, tmp_path / "trend.xlsx").projection
    assert abs(float(trend.population[t].sum()) - 60000) > 500  # the target changed the result
    assert "wrote" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# LibreOffice: the checks evaluate to 0 in a real spreadsheet
# --------------------------------------------------------------------------------------------
@pytest.mark.libreoffice
def test_template_checks_pass_in_libreoffice(telemark, tmp_path):
    from regbef_excel.io import libreoffice_render as render
    if render.soffice_path() is None:
        pytest.skip("LibreOffice not installed")
    from regbef_excel.io.write.template import MASTER_CHECK_NAME

    for name in ("4001-Porsgrunn.xlsx", "4036-Vinje.xlsx"):
        out = render.recalculate(telemark.out_dir / name, tmp_path / name)
        wb = openpyxl.load_workbook(out, data_only=True)
        dn = wb.defined_names[MASTER_CHECK_NAME]
        (sheet, ref), = list(dn.destinations)
        assert wb[sheet][ref.replace("$", "")].value == 0, name
        checks = next(ws for ws in wb.worksheets if "tblChecks" in ws.tables)
        rows = _table_cells(checks, "tblChecks")[1:]
        values = [r[2].value for r in rows]
        assert values and all(v == 0 for v in values), (name, values)
        cover = wb.worksheets[0]
        assert any(c.value == "OK" for row in cover.iter_rows(max_row=6) for c in row)
