"""Texts of the cover sheet (Forside/Cover) in both languages, read from ``templates/``.

The text sources live in the top-level ``templates/`` folder (``cover.nb.toml``,
``cover.en.toml``): a checkout reads them there; an installed package reads the copy installed
as data files under ``<prefix>/share/regbef_excel/templates`` (``[options.data_files]`` in
setup.cfg), like the add-in's ``workbook/`` sources.
"""

from __future__ import annotations

import site
import sys
import tomllib
from pathlib import Path

from regbef_excel.schema.base import LANGUAGES

#: Where the text sources are looked for, in order.
TEMPLATES_DIRS = (
    Path(__file__).resolve().parents[2] / "templates",
    *(Path(p) / "share" / "regbef_excel" / "templates"
      for p in dict.fromkeys((sys.prefix, sys.base_prefix, site.USER_BASE or ""))),
)  # fmt: skip


def templates_dir() -> Path:
    """The folder holding the template text sources (checkout first, then installed)."""
    for folder in TEMPLATES_DIRS:
        if (folder / "cover.nb.toml").is_file():
            return folder
    raise FileNotFoundError(
        "the template texts (templates/cover.nb.toml) are missing: looked in "
        + ", ".join(str(p) for p in TEMPLATES_DIRS)
    )


def load_cover_texts(folder: Path | None = None) -> dict[str, dict[str, object]]:
    """``{language: {key: text or list}}`` from ``cover.<language>.toml``."""
    folder = folder or templates_dir()
    out = {}
    for language in LANGUAGES:
        with open(folder / f"cover.{language}.toml", "rb") as f:
            out[language] = tomllib.load(f)
    return out


COVER_TEXT: dict[str, dict[str, object]] = load_cover_texts()
