"""Template builder → file → reader round trips; checks agree with LibreOffice's results."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from support.synthetic import synthetic_inputs

from regbef_excel import SCHEMA_VERSION, __version__
from regbef_excel.engine.inputs import FLOWS
from regbef_excel.io import libreoffice_render as render
from regbef_excel.io.openpyxl_files import OpenpyxlBackend
from regbef_excel.io.read.projection import read_from_backend, read_workbook, validate_workbook
from regbef_excel.io.rows import inputs_to_raw_tables
from regbef_excel.io.write.template import MASTER_CHECK_NAME, build_workbook, save_workbook
from regbef_excel.schema import CHECKS, SHEETS, TABLES
from regbef_excel.schema.checks import checks_layout, run_checks
from regbef_excel.schema.meta import RCFitQuality, WorkbookMeta

ARRAYS = (
    "population", "fertility_rates", "fertility_level_region", "fertility_level_zone", "death_prob",
    "mortality_level_region", "mortality_level_zone", "immigration_total", "immigration_share",
    "domestic_inmigration", "internal_net_trend",
)  # fmt: skip


def assert_same_inputs(a, b):
    assert a.zone_codes == b.zone_codes and a.zone_names == b.zone_names
    assert (a.base_year, a.horizon, a.variant, a.fertility_source) == (b.base_year, b.horizon, b.variant, b.fertility_source)
    assert (a.drop_oldest, a.reconcile_births, a.reconcile_deaths) == (b.drop_oldest, b.reconcile_births, b.reconcile_deaths)
    assert a.share_boys == pytest.approx(b.share_boys)
    assert a.hadwiger == b.hadwiger
    for name in ARRAYS:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-12, err_msg=name)
    for flow in FLOWS:
        np.testing.assert_allclose(a.rc_params[flow], b.rc_params[flow], rtol=1e-12)
    for d in ("migration_level_region", "migration_level_zone"):
        for k in getattr(a, d):
            np.testing.assert_allclose(getattr(a, d)[k], getattr(b, d)[k], rtol=1e-12)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def rich_meta():
    hist = pd.DataFrame({"year": [2024, 2024], "zone_code": ["Z001", "Z001"], "age": [0, 1],
                         "males": [10.0, 11.0], "females": [9.0, 12.0]})  # fmt: skip
    return WorkbookMeta(
        region_name="Testfylke", estimation_start=2016, estimation_end=2025,
        provenance=("SSB 07459 (CC BY 4.0)",), notes=("a note",),
        comments={"tblZones": {("Z002",): "merged 2020"}, "tblPopulation": {("Z001", 5): "checked"},
                  "tblRogersCastro": {("EUF", "Z001", "F"): "smoothed"},
                  "tblSettings": {("base_year",): "SSB"}},
        fit_quality={("IUF", "Z003", "M"): RCFitQuality(11, 1.5e-5, True, ("a1", "mu2"))},
        history={"tblHistPopulation": hist},
    )  # fmt: skip


@pytest.mark.parametrize("language", ["nb", "en"])
def test_round_trip(tmp_path, language, rich_meta):
    inp = synthetic_inputs(4, 12, seed=3).replace(drop_oldest=True, reconcile_births=True, variant=1)
    path = save_workbook(build_workbook(inp, language=language, meta=rich_meta), tmp_path / "w.xlsx")
    before = sha(path)
    out, meta = read_workbook(path)
    assert sha(path) == before
    assert_same_inputs(inp, out)
    assert meta.region_name == "Testfylke" and meta.language == language
    assert (meta.estimation_start, meta.estimation_end) == (2016, 2025)
    assert meta.provenance == rich_meta.provenance and meta.notes == rich_meta.notes
    assert meta.comments == rich_meta.comments
    assert meta.fit_quality == rich_meta.fit_quality
    pd.testing.assert_frame_equal(meta.history["tblHistPopulation"], rich_meta.history["tblHistPopulation"],
                                  check_dtype=False)  # fmt: skip
    assert (meta.schema_version, meta.template_version) == (SCHEMA_VERSION, __version__)
    assert validate_workbook(path) == []
    assert all(r.ok for r in run_checks(inputs_to_raw_tables(inp)))


def test_rebuild_from_read_is_stable(tmp_path, rich_meta):
    """reader → builder → reader gives the same inputs and meta (comments survive)."""
    inp = synthetic_inputs(3, 5)
    p1 = save_workbook(build_workbook(inp, meta=rich_meta), tmp_path / "a.xlsx")
    i1, m1 = read_workbook(p1)
    p2 = save_workbook(build_workbook(i1, language="en", meta=m1), tmp_path / "b.xlsx")
    i2, m2 = read_workbook(p2)
    assert_same_inputs(i1, i2)
    assert m1.comments == m2.comments and m1.fit_quality == m2.fit_quality


def test_workbook_structure(tmp_path):
    wb = build_workbook(synthetic_inputs(2, 3)).to_openpyxl()
    names = [s.label("nb") for s in sorted(SHEETS.values(), key=lambda s: s.order)]
    assert wb.sheetnames == names
    tables = {name for ws in wb.worksheets for name in ws.tables}
    assert set(TABLES) <= tables
    assert MASTER_CHECK_NAME in wb.defined_names
    assert "REGBEF_SCHEMA_VERSION" in wb.defined_names
    ws = wb["Befolkning"]
    assert ws.freeze_panes == "A5"
    c5 = ws["C5"]  # the input style: yellow, blue text, unlocked
    assert c5.fill.fgColor.rgb.endswith("FFF2CC") and c5.font.color.rgb.endswith("1F4E9A")
    assert c5.protection.locked is False
    assert ws["A5"].fill.fgColor.rgb in (None, "00000000")  # a key cell is not an input cell
    assert ws["C4"].value == "Menn (personer)"
    dv_cols = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
    assert {"C5", "D5"} <= dv_cols
    cover = wb["Forside"]
    links = [c.hyperlink.location for row in cover.iter_rows() for c in row if c.hyperlink]
    assert len(links) == len(SHEETS) - 1
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props["REGBEF_schema_version"] == SCHEMA_VERSION


def test_empty_template(tmp_path):
    path = save_workbook(build_workbook(None, language="en"), tmp_path / "t.xlsx")
    problems = validate_workbook(path)
    assert problems  # no zones, no rates yet
    assert any(e.location.table == "tblZones" for e in problems)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Cover"
    assert wb["Population"].tables["tblPopulation"].ref == "A4:E5"


def test_save_is_atomic(tmp_path, monkeypatch):
    wb = build_workbook(synthetic_inputs(2, 3))
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(wb, "save", boom)
    with pytest.raises(OSError):
        save_workbook(wb, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_rows_typed_below_a_table_are_read(tmp_path):
    """LibreOffice does not always grow a table when rows are pasted underneath it."""
    inp = synthetic_inputs(2, 3)
    wb = build_workbook(inp).to_openpyxl()
    ws = wb["Soner"]
    ws["A7"], ws["B7"] = "Z999", "Extra"
    path = save_workbook(wb, tmp_path / "w.xlsx")
    with OpenpyxlBackend(path) as be:
        res = read_from_backend(be)
    assert "Z999" in res.raw["tblZones"]["zone_code"]


@pytest.mark.slow
def test_national_size_speed(tmp_path):
    inp = synthetic_inputs(357, 25)
    t0 = time.perf_counter()
    wb = build_workbook(inp)
    path = save_workbook(wb, tmp_path / "national.xlsx")
    t1 = time.perf_counter()
    out, _ = read_workbook(path)
    t2 = time.perf_counter()
    print(f"build+save {t1 - t0:.1f} s, read {t2 - t1:.1f} s")
    assert_same_inputs(inp, out)
    assert t1 - t0 < 60 and t2 - t1 < 30


# ---------------------------------------------------------------------------------------------
# LibreOffice: the workbook's check formulas and Python's run_checks agree
# ---------------------------------------------------------------------------------------------
lo = pytest.importorskip("support.libreoffice")
needs_lo = pytest.mark.skipif(lo.SOFFICE is None, reason="LibreOffice (soffice) not installed")


@pytest.mark.libreoffice
@needs_lo
@pytest.mark.parametrize("language", ["nb", "en"])
def test_checks_agree_with_libreoffice(tmp_path, language):
    inp = synthetic_inputs(3, 6)
    wb = build_workbook(inp, language=language).to_openpyxl()
    sh = {k: wb[s.label(language)] for k, s in SHEETS.items()}
    sh["population"]["C5"] = -3  # C01
    sh["population"]["A6"] = "XX"  # C05
    sh["zones"]["A6"] = "Z001"  # C04 (and C05: Z002 rows unknown now)
    sh["mortality"]["B10"] = 1.5  # C06
    sh["level_factors"]["B5"] = -1  # C07
    sh["level_factors"]["F5"] = 0.9  # C08
    sh["level_factors"]["L7"] = None  # C10 (a year missing)
    sh["migration"]["D5"] = -0.1  # C11
    path = save_workbook(wb, tmp_path / "in.xlsx")
    with OpenpyxlBackend(path) as be:
        res = read_from_backend(be)
    py = {r.id: r.count for r in run_checks(res.raw)}
    assert all(py[k] > 0 for k in ("C01", "C04", "C05", "C06", "C07", "C08", "C10", "C11"))
    recalc = lo.recalculate(path, tmp_path)
    ws = openpyxl.load_workbook(recalc, data_only=True)[SHEETS["checks"].label(language)]
    lay = checks_layout()
    excel = {ws[lay.cell("id", i)].value: ws[lay.cell("value", i)].value for i in range(len(CHECKS))}
    assert excel == py
    master = ws[f"{lay.letter('value')}{lay.last_row + 2}"].value
    assert master == sum(py.values())


@pytest.mark.libreoffice
@needs_lo
def test_clean_workbook_checks_zero_in_libreoffice(tmp_path):
    path = save_workbook(build_workbook(synthetic_inputs(2, 4)), tmp_path / "ok.xlsx")
    ws = openpyxl.load_workbook(lo.recalculate(path, tmp_path), data_only=True)["Forside"]
    assert ws["C4"].value == "OK"


@pytest.mark.libreoffice
@needs_lo
@pytest.mark.skipif(lo.PDFTOPPM is None, reason="pdftoppm not installed")
def test_template_renders(tmp_path):
    """The empty template prints: the cover with its title, versions, table of contents and the
    master check that LibreOffice computed; the settings page with every setting and its default.
    A blank or formula-less page fails (see test_render_libreoffice::test_blank_page_fails_the_checks)."""
    path = save_workbook(build_workbook(None, meta=WorkbookMeta(region_name="Telemark")), tmp_path / "t.xlsx")
    pdf = render.to_pdf(path, tmp_path, recalc=True)
    texts = lo.page_texts(pdf)
    cover, settings = texts[0], texts[1]
    lines = [ln.strip() for ln in cover.splitlines()]
    assert lines[0] == "REGBEF – regional befolkningsframskriving – Telemark"
    assert all(str(v) in lines for v in (__version__, SCHEMA_VERSION, "Telemark"))
    contents = lines.index("Innhold")
    labels = [s.label("nb") for k, s in SHEETS.items() if k != "cover"]
    # every sheet listed, in order (the wrapped intros beside them may interleave in the text)
    listed = [ln for ln in lines[contents + 1 :] if ln in labels]
    assert listed[: len(labels)] == labels
    # master check: the number of problems LibreOffice counted = the Python checks' count
    with OpenpyxlBackend(path) as be:
        problems = sum(r.count for r in run_checks(read_from_backend(be).raw))
    assert problems > 0  # an empty template has no zones, population, ...
    assert re.search(rf"SE KONTROLLER: {problems}\b", cover), cover[:300]
    # settings page: its heading, each key, label and default value of tblSettings
    ws = openpyxl.load_workbook(path)[SHEETS["settings"].label("nb")]
    rows = [[c.value for c in row] for row in ws[ws.tables["tblSettings"].ref]][1:]
    assert settings.lstrip().startswith(SHEETS["settings"].label("nb"))
    assert len(rows) > 10
    for key, label, value, *_ in rows:
        assert key in settings and label in settings, key
        if value is not None:
            pattern = re.escape(str(value)).replace(r"\.", "[.,]")  # either decimal separator
            assert re.search(rf"(?<![\w.,]){pattern}(?![\w])", settings), (key, value)
    # and the pages are drawn, not empty: text, grid lines and the yellow input cells
    for k in (1, 2):
        img = lo.raster(pdf, k)
        assert lo.ink(img) > (0.02, 0.04)[k - 1], k  # a blank page has 0
    assert lo.colour(lo.raster(pdf, 2)) > 0.005  # the yellow input cells of the settings
