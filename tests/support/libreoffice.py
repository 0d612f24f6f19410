"""LibreOffice helpers for tests, on top of :mod:`regbef_excel.io.libreoffice_render` (the one
place that runs soffice): a recalculated copy of a workbook, and a rendered PDF read back (page
text, share of inked / coloured pixels).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from regbef_excel.io import libreoffice_render as render

SOFFICE = render.soffice_path()
PDFTOPPM = render.pdftoppm_path()


def recalculate(src: Path, workdir: Path) -> Path:
    """A copy of ``src`` recalculated and saved by LibreOffice as .xlsx (read it data_only)."""
    return render.recalculate(src, workdir / "recalc" / f"{Path(src).stem}.xlsx")


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
