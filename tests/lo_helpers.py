"""LibreOffice (soffice) helpers for tests: recalculate a workbook, render it to PNG.

Every call uses its own profile directory (so parallel runs do not collide) whose
``registrymodifications.xcu`` sets ``OOXMLRecalcMode`` to 0 (always recalculate on load):
otherwise LibreOffice trusts cached formula values, and openpyxl writes none.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _profile(root: Path) -> str:
    user = root / "profile" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
    return (root / "profile").as_uri()


def convert(src: Path, fmt: str, outdir: Path, timeout: float = 240) -> Path:
    """Convert ``src`` with LibreOffice (``fmt`` e.g. ``'xlsx'`` or ``'pdf'``) into ``outdir``."""
    if SOFFICE is None:
        raise RuntimeError("soffice not installed")
    with tempfile.TemporaryDirectory(prefix="regbef-lo-") as tmp:
        cmd = [SOFFICE, f"-env:UserInstallation={_profile(Path(tmp))}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir), str(src)]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    if not out.exists():
        raise RuntimeError(f"LibreOffice made no {fmt}: {proc.stdout} {proc.stderr}")
    return out


def recalculate(src: Path, workdir: Path) -> Path:
    """A copy of ``src`` recalculated and saved by LibreOffice as .xlsx (read it data_only)."""
    outdir = workdir / "recalc"
    outdir.mkdir(exist_ok=True)
    return convert(src, "xlsx:Calc MS Excel 2007 XML", outdir)


def render_png(src: Path, workdir: Path, dpi: int = 60, first: int = 1, last: int = 3) -> list[Path]:
    pdf = convert(src, "pdf", workdir)
    subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), str(pdf),
                    str(workdir / "page")], check=True, timeout=120)  # fmt: skip
    return sorted(workdir.glob("page*.png"))
