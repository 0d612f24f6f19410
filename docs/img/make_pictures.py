"""Make the LibreOffice picture of docs/excel-setup.md (run from the repository root):

    PYTHONPATH=. python docs/img/make_pictures.py

It builds and installs ``REGBEF.oxt`` into a private, headless LibreOffice, opens the Norwegian
template, prints the REGBEF toolbar's items as LibreOffice reports them (its accessibility tree),
presses "Kjør framskriving" on that toolbar (dispatch, as a click does) and writes
``libreoffice-result.png``: the result sheet "Folkemengde" with its chart, as LibreOffice renders
it (PDF export, then ``pdftoppm``). The toolbar itself cannot be captured here: the packaged
headless LibreOffice (``libreoffice-calc-nogui``) has no display back-end, and showing a window
in it aborts LibreOffice 7.4.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support import soffice  # noqa: E402

from regbef_excel.addin import oxt  # noqa: E402
from regbef_excel.app.projection import write_template  # noqa: E402
from regbef_excel.io.libreoffice_live import file_url, property_values  # noqa: E402

TOOLBAR_URL = f"private:resource/toolbar/addon_{oxt.TOOLBAR}"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="regbef-pictures-") as tmp:
        root = Path(tmp)
        soffice.install_extension(root, oxt.build_oxt(root / "dist", ROOT / "workbook"))
        office = soffice.Office(root, env={"REGBEF_MESSAGE_LOG": str(root / "messages.txt")})
        try:
            doc = office.open(write_template(root / "kommune.xlsx", language="nb"))
            print("REGBEF toolbar:", " | ".join(label for label, _ in soffice.toolbar_items(doc, TOOLBAR_URL)))
            dispatcher = office.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper",
                                                                             office.ctx)  # fmt: skip
            dispatcher.executeDispatch(doc.CurrentController.Frame, oxt.PROTOCOL + "regbefRun", "", 0, ())
            for name in list(doc.Sheets.ElementNames):
                if name != "Folkemengde":
                    doc.Sheets.removeByName(name)
            pdf = root / "result.pdf"
            doc.storeToURL(file_url(pdf), property_values(FilterName="calc_pdf_Export"))
            doc.close(True)
        finally:
            office.stop()
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(HERE / "libreoffice-result")], check=True)  # fmt: skip


if __name__ == "__main__":
    main()
