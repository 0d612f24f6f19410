"""Live Excel tests (Windows/macOS with Microsoft Excel and the pinned xlwings); skipped elsewhere.

Run on a Windows machine with Excel: ``pytest -m excel tests/test_excel_live.py``. They follow the
smoke-test checklist in docs/excel-setup.md as far as it can be automated.
"""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.excel


def _excel_available() -> bool:
    if sys.platform not in ("win32", "darwin"):
        return False
    try:
        import xlwings as xw

        return xw.apps.count >= 0 and "excel" in [e.name for e in xw.engines]
    except Exception:  # noqa: BLE001
        return False


requires_excel = pytest.mark.skipif(not _excel_available(), reason="needs Microsoft Excel (Windows/macOS)")


@pytest.fixture
def app():
    import xlwings as xw

    app = xw.App(visible=False, add_book=False)
    app.display_alerts = False
    yield app
    app.quit()


@pytest.fixture
def book(app, tmp_path):
    from support.synthetic import synthetic_inputs

    from regbef_excel.io.write.template import build_workbook, save_workbook

    path = save_workbook(build_workbook(synthetic_inputs(3, 5)), tmp_path / "kommune.xlsx")
    return app.books.open(str(path))


@requires_excel
def test_xlwings_backend_reads_the_live_workbook(book):
    import numpy as np
    from support.synthetic import synthetic_inputs

    from regbef_excel.io.read.projection import read_from_backend
    from regbef_excel.io.xlwings_live import XlwingsBackend

    res = read_from_backend(XlwingsBackend(book))
    assert res.errors == []
    # the live workbook reads to the inputs it was built from (as the openpyxl back-end does)
    truth = synthetic_inputs(3, 5)
    assert res.inputs.zone_codes == truth.zone_codes
    assert (res.inputs.base_year, res.inputs.horizon) == (truth.base_year, truth.horizon)
    np.testing.assert_allclose(res.inputs.population, truth.population, rtol=1e-12)
    np.testing.assert_allclose(res.inputs.death_prob, truth.death_prob, rtol=1e-12)


@requires_excel
def test_macro_run_writes_sheets_through_excel(book):
    from regbef_excel.excel import macros

    class Quiet(macros.XlwingsLiveWorkbook):
        def __init__(self, b):
            super().__init__(b)
            self.alerts = []

        def alert(self, text, title="REGBEF"):
            self.alerts.append(text)

    live = Quiet(book)
    before = [s.name for s in book.sheets]
    assert macros.execute("regbefRun", live), live.alerts
    names = [s.name for s in book.sheets]
    assert names[: len(before)] == before and "Folkemengde" in names
    assert book.sheets["Folkemengde"].charts.count >= 1
    assert macros.execute("regbefRun", live)  # replaced, not duplicated
    assert [s.name for s in book.sheets] == names


@requires_excel
@pytest.mark.skipif(sys.platform != "win32", reason="xlwings UDFs are Windows-only")
def test_udf_wrapper_with_a_live_caller(book):
    from regbef_excel.excel import xlwings_udfs

    out = xlwings_udfs.REGBEF_RUN(caller=book.sheets[0].range("A1"))
    assert out[0][0] in ("Sonenr.", "Zone code")
