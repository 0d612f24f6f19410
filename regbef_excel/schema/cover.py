"""Texts of the cover sheet (Forside/Cover) in both languages, read from ``templates/``.

The text sources live in the top-level ``templates/`` folder (``cover.nb.toml``,
``cover.en.toml``): a checkout reads them there; an installed package reads the copy installed
as data files under ``<prefix>/share/regbef_excel/templates`` (``[options.data_files]`` in
setup.cfg), like the add-in's ``workbook/`` sources.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from regbef_excel.files import shipped_path
from regbef_excel.schema.base import LANGUAGES


def templates_dir() -> Path:
    """The folder holding the template text sources (checkout first, then installed)."""
    folder = shipped_path("templates")
    if not (folder / "cover.nb.toml").is_file():
        raise FileNotFoundError(f"the template texts (templates/cover.nb.toml) are missing in {folder}")
    return folder


def load_cover_texts(folder: Path | None = None) -> dict[str, dict[str, object]]:
    """``{language: {key: text or list}}`` from ``cover.<language>.toml``."""
    folder = folder or templates_dir()
    out = {}
    for language in LANGUAGES:
        with open(folder / f"cover.{language}.toml", "rb") as f:
            out[language] = tomllib.load(f)
    return out


COVER_TEXT: dict[str, dict[str, object]] = load_cover_texts()
