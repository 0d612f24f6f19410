"""LibreOffice as a second, real spreadsheet client: render and recalculate workbooks.

Used by tests and by anyone who wants to look at a generated workbook without Excel. Every call
runs its own ``soffice`` process with a private profile directory (so parallel runs and a user's
own LibreOffice do not interfere) and a timeout, and checks that the output file exists.

* :func:`to_pdf` – xlsx → pdf (every sheet with its charts, as printed).
* :func:`pdf_to_png` – pdf pages → png (``pdftoppm``).
* :func:`recalculate` – xlsx → xlsx with every formula recomputed (profile sets
  ``OOXMLRecalcMode`` = 0, "always recalculate"; otherwise LibreOffice trusts cached values, and
  openpyxl writes none). Read the result with ``openpyxl.load_workbook(data_only=True)``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Seconds one LibreOffice conversion may take (first start of a fresh profile is slow).
DEFAULT_TIMEOUT = 240

_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


class RenderError(RuntimeError):
    """LibreOffice or poppler failed, timed out or produced no output."""


def soffice_path() -> str | None:
    """Path of the LibreOffice executable, or None if it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pdftoppm_path() -> str | None:
    """Path of poppler's ``pdftoppm``, or None."""
    return shutil.which("pdftoppm")


def available() -> bool:
    """True if both LibreOffice and pdftoppm are installed."""
    return soffice_path() is not None and pdftoppm_path() is not None


def profile(parent: str | os.PathLike[str], *, recalc: bool) -> Path:
    """A private LibreOffice user profile under ``parent`` (pass it as
    ``-env:UserInstallation=<profile.as_uri()>``); with ``recalc`` it recalculates every formula
    on load instead of trusting cached values."""
    made = Path(parent) / "lo-profile"
    if recalc:
        user = made / "user"
        user.mkdir(parents=True, exist_ok=True)
        (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    return made


def _convert(src: Path, target: str, outdir: Path, *, recalc: bool, timeout: float) -> Path:
    soffice = soffice_path()
    if soffice is None:
        raise RenderError("LibreOffice (soffice) is not installed")
    src = Path(src).resolve()
    if not src.is_file():
        raise RenderError(f"no such file: {src}")
    outdir.mkdir(parents=True, exist_ok=True)
    ext = target.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="regbef-lo-") as tmp:
        tmp = Path(tmp)
        lo_profile = profile(tmp, recalc=recalc)
        # Convert into a private directory first: the output name equals the input name, and
        # the caller's outdir may hold the input itself.
        work_out = tmp / "out"
        cmd = [
            soffice,
            f"-env:UserInstallation={lo_profile.as_uri()}",
            "--headless", "--norestore", "--nolockcheck",
            "--convert-to", target,
            "--outdir", str(work_out),
            str(src),
        ]  # fmt: skip
        env = dict(os.environ, HOME=str(tmp), SAL_USE_VCLPLUGIN="svp")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"LibreOffice took more than {timeout:.0f} s converting {src.name}") from exc
        produced = work_out / f"{src.stem}.{ext}"
        if proc.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
            raise RenderError(
                f"LibreOffice could not convert {src.name} to {ext} (exit {proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()[-500:]}"
            )
        dest = outdir / produced.name
        shutil.move(str(produced), dest)
    return dest


def to_pdf(xlsx: str | os.PathLike[str], outdir: str | os.PathLike[str], *, recalc: bool = False,
           timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Render a workbook to PDF (all sheets, as printed) with LibreOffice.

    ``recalc`` recomputes every formula first; otherwise the cached values are shown, as
    LibreOffice does by default for .xlsx files.

    Returns
    -------
    Path
        ``outdir / <stem>.pdf``.
    """
    return _convert(Path(xlsx), "pdf", Path(outdir), recalc=recalc, timeout=timeout)


def recalculate(xlsx: str | os.PathLike[str], out_path: str | os.PathLike[str], *,
                timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Open ``xlsx`` in LibreOffice, recompute every formula and save the result as ``out_path``.

    The input file is not modified. Read the result with ``load_workbook(out, data_only=True)``.
    """
    out_path = Path(out_path)
    with tempfile.TemporaryDirectory(prefix="regbef-recalc-") as tmp:
        made = _convert(Path(xlsx), "xlsx:Calc MS Excel 2007 XML", Path(tmp), recalc=True,
                        timeout=timeout)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), out_path)
    return out_path


def pdf_page_count(pdf: str | os.PathLike[str]) -> int:
    """Number of pages of a PDF (``pdfinfo`` if installed, else counting page objects)."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        out = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, timeout=60)
        m = re.search(r"^Pages:\s+(\d+)", out.stdout, re.M)
        if m:
            return int(m.group(1))
    data = Path(pdf).read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def pdf_to_png(pdf: str | os.PathLike[str], outdir: str | os.PathLike[str], *, dpi: int = 60,
               first: int | None = None, last: int | None = None, prefix: str = "page",
               timeout: float = 120) -> list[Path]:
    """Render PDF pages to PNG files ``<prefix>-<n>.png`` with ``pdftoppm``; return them sorted."""
    exe = pdftoppm_path()
    if exe is None:
        raise RenderError("pdftoppm (poppler-utils) is not installed")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [exe, "-png", "-r", str(dpi)]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    cmd += [str(pdf), str(outdir / prefix)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"pdftoppm took more than {timeout:.0f} s") from exc
    pngs = sorted(outdir.glob(f"{prefix}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    if proc.returncode != 0 or not pngs:
        raise RenderError(f"pdftoppm failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}")
    return pngs


__all__ = [
    "RenderError",
    "available",
    "pdf_page_count",
    "pdf_to_png",
    "profile",
    "recalculate",
    "soffice_path",
    "to_pdf",
]
