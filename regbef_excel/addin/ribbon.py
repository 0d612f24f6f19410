"""The REGBEF ribbon in Norwegian or English: one source (``workbook/customUI*.xml``, Norwegian
labels, each tip ending with its English sentence) and the English labels here.

Decision: Excel's ribbon XML cannot choose a language by itself. ``getLabel`` callbacks could
ask Excel for its UI language, but every label would then be a VBA round trip that no test here
can run, and the add-in serves every open workbook at once, so "the workbook's language" is not
one value. The language is therefore chosen when the files are built:
``regbef-excel addin build --language en`` writes ``REGBEF.xlam`` and the ``.xlsm`` with English
labels, screen tips and super tips (:func:`localised_ribbon`); the default build is Norwegian.
Button ids, callbacks and images are the same in both, so the macros do not know the difference.
LibreOffice does choose by itself: the extension carries both languages (``xml:lang`` values in
``Addons.xcu``) and shows the one of LibreOffice's user interface (:mod:`regbef_excel.addin.oxt`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from regbef_excel.errors import RegbefError

#: Languages the ribbon is built in.
LANGUAGES = ("nb", "en")
NS_UI14 = "{http://schemas.microsoft.com/office/2009/07/customui}"
#: Where a super tip's English sentence starts (the Norwegian build shows both).
ENGLISH_MARK = "English: "

#: English (label, screen tip) by button id.
ENGLISH: dict[str, tuple[str, str]] = {
    "regbefNew": ("New workbook", "New workbook for a municipality or county"),
    "regbefValidate": ("Validate", "Validate the inputs"),
    "regbefEstimate": ("Estimate parameters", "Estimate the parameters from the history"),
    "regbefRun": ("Run projection", "Run the projection"),
    "regbefCompare": ("Compare scenarios", "Compare scenarios"),
    "regbefSsb": ("Compare with SSB", "Compare with Statistics Norway's projection"),
    "regbefTemplates": ("Municipal templates", "Templates for the municipalities of a county"),
    "regbefCollect": ("Collect municipal templates", "Collect the municipalities' workbooks"),
    "regbefRegress": ("Estimate regression", "Estimate migration regressions"),
    "regbefRegressTargets": ("Regression → targets", "Net-migration targets from a regression"),
    "regbefBacktest": ("Back-test", "Back-test a county"),
    "regbefAbout": ("Help/About", "Help and versions"),
}
#: English group labels by group id.
ENGLISH_GROUPS: dict[str, str] = {
    "regbefWorkbook": "Workbook",
    "regbefProjection": "Projection",
    "regbefMunicipalities": "Municipalities",
    "regbefAnalysis": "Analysis",
    "regbefHelp": "Help",
}


@dataclass(frozen=True)
class Button:
    """One ribbon button in both languages."""

    id: str
    label_nb: str
    label_en: str
    tip: str


def ribbon_buttons(source_dir: Path) -> list[Button]:
    """The buttons of ``customUI14.xml`` in ribbon order.

    Raises
    ------
    RegbefError
        If the ribbon file is missing or has a button without an English label here.
    """
    path = Path(source_dir) / "customUI14.xml"
    if not path.is_file():
        raise RegbefError(f"ribbon source not found: {path}")
    out = []
    for el in ET.parse(path).getroot().iter(f"{NS_UI14}button"):
        bid = el.get("id", "")
        if bid not in ENGLISH:
            raise RegbefError(f"{path}: button {bid!r} has no English label in {__name__}.ENGLISH")
        out.append(Button(bid, el.get("label", bid), ENGLISH[bid][0], el.get("supertip") or el.get("screentip", "")))
    return out


_ELEMENT = re.compile(r"<(button|group)\b([^>]*)>", re.S)
_ATTR = r'(\b{name}=")([^"]*)(")'


def _english_attrs(kind: str, attrs: str, where: str) -> str:
    ident = re.search(r'\bid="([^"]*)"', attrs)
    key = ident.group(1) if ident else "?"
    if kind == "group":
        if key not in ENGLISH_GROUPS:
            raise RegbefError(f"{where}: group {key!r} has no English label in {__name__}.ENGLISH_GROUPS")
        return re.sub(_ATTR.format(name="label"), lambda m: m[1] + escape(ENGLISH_GROUPS[key], {'"': "&quot;"}) + m[3], attrs)
    if key not in ENGLISH:
        raise RegbefError(f"{where}: button {key!r} has no English label in {__name__}.ENGLISH")
    label, screentip = ENGLISH[key]
    supertip = re.search(_ATTR.format(name="supertip"), attrs)
    if supertip is None or ENGLISH_MARK not in supertip.group(2):
        raise RegbefError(f"{where}: the supertip of button {key!r} has no '{ENGLISH_MARK}' sentence")
    english_tip = supertip.group(2).split(ENGLISH_MARK, 1)[1].strip()
    quoted = {'"': "&quot;"}
    for name, value in (("label", escape(label, quoted)), ("screentip", escape(screentip, quoted)),
                        ("supertip", english_tip)):  # fmt: skip
        attrs = re.sub(_ATTR.format(name=name), lambda m, v=value: m[1] + v + m[3], attrs)
    return attrs


def localised_ribbon(xml: str, language: str, where: str = "customUI") -> str:
    """The ribbon XML ``xml`` (Norwegian source) with the labels and tips of ``language``.

    Only the ``label``, ``screentip`` and ``supertip`` attributes of buttons and groups change;
    ids, callbacks, images and the tab name ``REGBEF`` stay.

    Raises
    ------
    RegbefError
        For an unknown language, or a button or group without an English text.
    """
    if language not in LANGUAGES:
        raise RegbefError(f"ribbon language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    if language == "nb":
        return xml
    return _ELEMENT.sub(lambda m: f"<{m[1]}{_english_attrs(m[1], m[2], where)}>", xml)


__all__ = ["ENGLISH", "ENGLISH_GROUPS", "LANGUAGES", "Button", "localised_ribbon", "ribbon_buttons"]
