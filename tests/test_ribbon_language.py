"""The ribbon in Norwegian and English: ``addin build --language en`` gives both Excel files an
English ribbon (same ids, callbacks and images); the LibreOffice extension carries both
languages. Structural checks, no Excel."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from lxml import etree

from regbef_excel.addin import build as addin
from regbef_excel.addin import oxt
from regbef_excel.addin.ribbon import ENGLISH, ENGLISH_GROUPS, ENGLISH_MARK, localised_ribbon
from regbef_excel.errors import RegbefError

SOURCES = Path(__file__).resolve().parents[1] / "workbook"
PARTS = {"customUI/customUI.xml": addin.NS_UI, "customUI/customUI14.xml": addin.NS_UI14}
OOR = "{http://openoffice.org/2001/registry}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def ribbon_parts(package: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return {part: etree.fromstring(z.read(part)) for part in PARTS}


def elements(root, ns: str, tag: str) -> list:
    return list(root.iter(f"{{{ns}}}{tag}"))


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """Both Excel files in both languages (the .xlsm as the empty template: the ribbon is what
    differs), the English ones through :func:`build` as ``addin build --language en`` runs it."""
    out = tmp_path_factory.mktemp("dist-en")
    built = addin.build(out, language="en", source_dir=SOURCES, empty=True)
    return {"nb": {"addin": addin.addin_bytes(SOURCES), "workbook": addin.workbook_bytes("nb", SOURCES)},
            "en": {"addin": built.addin.read_bytes(), "workbook": built.workbook.read_bytes()}}  # fmt: skip


@pytest.mark.parametrize("target", ["addin", "workbook"])
def test_english_build_has_english_labels_and_the_same_buttons(packages, target):
    nb, en = ribbon_parts(packages["nb"][target]), ribbon_parts(packages["en"][target])
    for part, ns in PARTS.items():
        b_nb, b_en = elements(nb[part], ns, "button"), elements(en[part], ns, "button")
        # ids, callbacks and images as in the Norwegian ribbon, in the same order
        same = ("id", "onAction", "imageMso", "size")
        assert [[b.get(a) for a in same] for b in b_en] == [[b.get(a) for a in same] for b in b_nb]
        assert [b.get("label") for b in b_en] == [ENGLISH[b.get("id")][0] for b in b_en]
        assert [b.get("screentip") for b in b_en] == [ENGLISH[b.get("id")][1] for b in b_en]
        # the super tip is the English sentence the Norwegian one ends with
        assert [b.get("supertip") for b in b_en] == [b.get("supertip").split(ENGLISH_MARK)[1] for b in b_nb]
        groups = elements(en[part], ns, "group")
        assert [g.get("label") for g in groups] == [ENGLISH_GROUPS[g.get("id")] for g in groups]
        assert elements(en[part], ns, "tab")[0].get("label") == "REGBEF"
        shown = " ".join(e.get(a) or "" for e in en[part].iter() for a in ("label", "screentip", "supertip"))
        assert not set("æøåÆØÅ") & set(shown), shown


def test_norwegian_build_is_the_source_text(packages):
    for target in ("addin", "workbook"):
        with zipfile.ZipFile(io.BytesIO(packages["nb"][target])) as z:
            assert z.read("customUI/customUI14.xml").decode("utf-8") == (SOURCES / "customUI14.xml").read_text("utf-8")
            assert z.read("customUI/customUI.xml").decode("utf-8") == (SOURCES / "customUI.xml").read_text("utf-8")


def test_english_build_is_reproducible(packages, tmp_path):
    again = addin.build(tmp_path, language="en", source_dir=SOURCES, empty=True)
    assert again.addin.read_bytes() == packages["en"]["addin"]


def test_a_button_without_english_text_is_refused(tmp_path):
    src = Path(shutil.copytree(SOURCES, tmp_path / "workbook"))
    ui = (src / "customUI14.xml").read_text(encoding="utf-8")
    extra = ui.replace('<button id="regbefAbout"', '<button id="regbefNew2" label="Ny" supertip="Ny. English: new." '
                       'onAction="RegbefRibbon"/>\n          <button id="regbefAbout"')  # fmt: skip
    with pytest.raises(RegbefError, match="regbefNew2"):
        localised_ribbon(extra, "en")
    no_sentence = ui.replace(" English: lists every input problem; writes nothing.", "")
    with pytest.raises(RegbefError, match="regbefValidate.*English"):
        localised_ribbon(no_sentence, "en")
    with pytest.raises(RegbefError, match="language"):
        localised_ribbon(ui, "de")
    assert localised_ribbon(ui, "nb") == ui


def test_extension_titles_in_both_languages():
    """Addons.xcu: every menu and toolbar entry has its English title (en-US, LibreOffice's
    fallback for any other language) and the Norwegian one (nb and nn)."""
    with zipfile.ZipFile(io.BytesIO(oxt.oxt_bytes(SOURCES, ["/env"]))) as z:
        root = ET.fromstring(z.read("Addons.xcu"))
    nb = {b.get("id"): b.get("label") for b in ET.parse(SOURCES / "customUI14.xml").getroot().iter(
        "{http://schemas.microsoft.com/office/2009/07/customui}button")}  # fmt: skip
    entries = [n for n in root.iter("node") if any(p.get(f"{OOR}name") == "URL" for p in n.findall("prop"))]
    assert len(entries) == 2 * len(ENGLISH)  # menu and toolbar
    for node in entries:
        props = {p.get(f"{OOR}name"): p for p in node.findall("prop")}
        button = props["URL"].find("value").text.removeprefix(oxt.PROTOCOL)
        titles = {v.get(XML_LANG): v.text for v in props["Title"].findall("value")}
        assert titles == {"en-US": ENGLISH[button][0], "nb": nb[button], "nn": nb[button]}
