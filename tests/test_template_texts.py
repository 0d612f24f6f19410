"""The template text sources in ``templates/``: both languages alike, installed with the package,
and the published sets built by one command."""

from __future__ import annotations

import configparser
import re
import string
from pathlib import Path

import openpyxl
import pytest

from regbef_excel.app.templates import published_sets, write_published
from regbef_excel.errors import InputError
from regbef_excel.schema.cover import COVER_TEXT, load_cover_texts, templates_dir

ROOT = Path(__file__).resolve().parents[1]


def _placeholders(value: object) -> set[str]:
    texts = value if isinstance(value, list) else [value]
    out: set[str] = set()
    for t in texts:
        if isinstance(t, str):
            out |= {name for _, name, _, _ in string.Formatter().parse(t) if name}
    return out


def test_cover_texts_come_from_the_top_level_folder():
    assert templates_dir() == ROOT / "templates"
    assert load_cover_texts(ROOT / "templates") == COVER_TEXT


def test_both_languages_have_the_same_keys_and_placeholders():
    nb, en = COVER_TEXT["nb"], COVER_TEXT["en"]
    assert nb.keys() == en.keys()
    assert nb["municipality"].keys() == en["municipality"].keys()
    for key in nb:
        if key != "municipality":
            assert type(nb[key]) is type(en[key]), key
            if isinstance(nb[key], list):
                assert len(nb[key]) == len(en[key]), key
    for key, value in nb["municipality"].items():
        assert _placeholders(value) == _placeholders(en["municipality"][key]), key
    assert [r for r, _ in nb["legend"]] == [r for r, _ in en["legend"]]


def test_every_text_source_is_installed_with_the_package():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    listed = {p.strip() for p in cfg["options.data_files"]["share/regbef_excel/templates"].split(",")}
    assert listed == {f"templates/{p.name}" for p in (ROOT / "templates").iterdir() if p.is_file()}


def test_the_xlsxwriter_pin_is_exact():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert re.search(r"^XlsxWriter==\d+\.\d+\.\d+$", cfg["options"]["install_requires"], re.M)


def test_published_sets():
    sets = published_sets()
    assert [s.folder for s in sets] == ["kommuner", "fylker", "counties-en"]
    assert {s.per for s in sets} == {"municipality", "region"} and {s.language for s in sets} == {"nb", "en"}
    assert len({s.folder for s in sets}) == len(sets)


def test_write_published_small_manifest(tmp_path):
    manifest = tmp_path / "published.toml"
    manifest.write_text('[[set]]\nfolder = "a"\nselect = "03"\nper = "region"\nlanguage = "en"\n\n'
                        '[[set]]\nfolder = "b"\nselect = "03"\nper = "municipality"\nlanguage = "nb"\n')
    results = write_published(tmp_path / "dist", manifest=manifest, jobs=1)
    assert [p.relative_to(tmp_path / "dist").as_posix() for r in results for p in r.paths] == [
        "a/03-Oslo.xlsx", "b/0301-Oslo.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "dist" / "a" / "03-Oslo.xlsx", read_only=True)
    assert wb.sheetnames[0] == "Cover"
    wb.close()


def test_published_set_missing_key(tmp_path):
    manifest = tmp_path / "published.toml"
    manifest.write_text('[[set]]\nfolder = "a"\nper = "region"\nlanguage = "en"\n')
    with pytest.raises(InputError, match="lacks a key"):
        published_sets(manifest)


def test_cli_published(tmp_path, monkeypatch, capsys):
    from regbef_excel import cli
    from regbef_excel.app import templates

    small = [templates.PublishedSet("fylke", "03", "region", "nb")]
    monkeypatch.setattr(templates, "published_sets", lambda manifest=None: small)
    assert cli.main(["templates", "--published", "--out", str(tmp_path / "dist"), "-q"]) == 0
    assert [p.name for p in (tmp_path / "dist" / "fylke").iterdir()] == ["03-Oslo.xlsx"]
    assert "1 template(s)" in capsys.readouterr().out
