"""LibreOffice (soffice) helpers for tests: recalculate a workbook, render it to PNG, and read a
rendered PDF back (page text, share of inked / coloured pixels).

Every call uses its own profile directory (so parallel runs do not collide) whose
``registrymodifications.xcu`` sets ``OOXMLRecalcMode`` to 0 (always recalculate on load):
otherwise LibreOffice trusts cached formula values, and openpyxl writes none.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from regbef_excel.io import libreoffice_render as render

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


# ---------------------------------------------------------------- reading a rendered PDF back
# Shared by the render tests: the text of the pages (pdftotext) and the share of non-white /
# coloured pixels, so that a render check fails on a blank or half-drawn page.


def page_texts(pdf) -> list[str]:
    """The text of every page (pdftotext; pages are separated by form feeds)."""
    exe = render.pdftoppm_path().replace("pdftoppm", "pdftotext")
    out = subprocess.run([exe, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                         timeout=120).stdout.decode("utf-8")  # fmt: skip
    return out.split("\f")[: render.pdf_page_count(pdf)]


def raster(pdf, page: int, dpi: int = 30) -> np.ndarray:
    """Page ``page`` (1-based) as an (H, W, 3) uint8 RGB array (pdftoppm's PPM on stdout)."""
    ppm = subprocess.run([render.pdftoppm_path(), "-r", str(dpi), "-f", str(page), "-l", str(page),
                          str(pdf)], capture_output=True, check=True, timeout=120).stdout  # fmt: skip
    magic, w, h, maxval, data = ppm.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return np.frombuffer(data[: int(w) * int(h) * 3], np.uint8).reshape(int(h), int(w), 3)


def _box(img: np.ndarray, box) -> np.ndarray:
    h, w, _ = img.shape
    return img[int(box[1] * h) : int(box[3] * h), int(box[0] * w) : int(box[2] * w)].astype(int)


def ink(img: np.ndarray, box=(0.0, 0.0, 1.0, 1.0)) -> float:
    """Share of pixels that are not (near) white in ``box`` = (left, top, right, bottom) fractions;
    a blank page has 0."""
    return float((_box(img, box).min(axis=2) < 200).mean())


def colour(img: np.ndarray, box=(0.0, 0.0, 1.0, 1.0)) -> float:
    """Share of clearly coloured (saturated) pixels in ``box``: chart series, colour scales, not
    black text."""
    part = _box(img, box)
    return float(((part.max(axis=2) - part.min(axis=2)) > 60).mean())


def shown(x: float) -> str:
    """Regex of a whole number as a spreadsheet shows it with any thousands separator."""
    digits = f"{abs(round(x)):,}".split(",")
    sign = "[-\u2212]" if round(x) < 0 else ""
    return r"(?<![\d,.])" + sign + r"[,.\s\u00a0\u202f]?".join(digits) + r"(?![\d])"
