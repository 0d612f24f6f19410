"""Cell styles of REGBEF input workbooks (one input style, used only on editable cells).

Each style is one plain description (:class:`CellStyle`); :class:`Formats` turns it into
XlsxWriter formats for the workbook being written. The cover sheet shows a legend.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Palette (FAST-like: inputs yellow with blue text, calculations black, outputs on white).
INPUT_FILL = "FFF2CC"
INPUT_FONT = "1F4E9A"
CALC_FILL = "EDEDED"
HEADER_FILL = "1F4E78"
TITLE_COLOUR = "1F4E78"
OK_FILL = "E2EFDA"
ERROR_FILL = "F8CBAD"
NOTE_COLOUR = "595959"
LINK_COLOUR = "0563C1"
BORDER_COLOUR = "BFBFBF"
TABLE_STYLE = "TableStyleLight9"

INPUT = "REGBEF input"
CALC = "REGBEF beregnet"
OUTPUT = "REGBEF resultat"
KEY = "REGBEF nøkkel"
HEADER = "REGBEF overskrift"
TITLE = "REGBEF tittel"
SUBTITLE = "REGBEF undertittel"
NOTE = "REGBEF merknad"
LINK = "REGBEF lenke"
PLAIN = "REGBEF tekst"


@dataclass(frozen=True)
class CellStyle:
    """One cell style: font, fill, thin border, alignment and protection."""

    name: str
    size: float = 11
    colour: str = "000000"
    bold: bool = False
    italic: bool = False
    underline: bool = False
    fill: str | None = None
    border: bool = False
    locked: bool = True
    wrap: bool = False
    valign: str | None = None

    def xlsx(self, number_format: str = "General", **override: object) -> dict[str, object]:
        """The XlsxWriter format properties of this style (plus ``override``)."""
        props: dict[str, object] = {"font_name": "Calibri", "font_size": self.size,
                                    "font_color": "#" + self.colour}  # fmt: skip
        if self.bold:
            props["bold"] = True
        if self.italic:
            props["italic"] = True
        if self.underline:
            props["underline"] = 1
        if self.fill:
            props.update(pattern=1, bg_color="#" + self.fill)
        if self.border:
            props.update(border=1, border_color="#" + BORDER_COLOUR)
        if not self.locked:
            props["locked"] = False
        if self.wrap:
            props["text_wrap"] = True
        if self.valign:
            props["valign"] = "vcenter" if self.valign == "center" else self.valign
        if number_format != "General":
            props["num_format"] = number_format
        props.update(override)
        return props


STYLES: dict[str, CellStyle] = {s.name: s for s in (
    CellStyle(INPUT, colour=INPUT_FONT, fill=INPUT_FILL, border=True, locked=False),
    CellStyle(CALC, fill=CALC_FILL, border=True),
    CellStyle(OUTPUT, border=True),
    CellStyle(KEY, border=True, locked=False),
    CellStyle(HEADER, bold=True, colour="FFFFFF", fill=HEADER_FILL, border=True, wrap=True,
              valign="center"),
    CellStyle(TITLE, size=16, bold=True, colour=TITLE_COLOUR),
    CellStyle(SUBTITLE, size=12, bold=True, colour=TITLE_COLOUR),
    CellStyle(NOTE, size=10, italic=True, colour=NOTE_COLOUR, valign="top"),
    CellStyle(LINK, colour=LINK_COLOUR, underline=True),
    CellStyle(PLAIN),
)}  # fmt: skip

STYLE_NAMES = (INPUT, CALC, OUTPUT, KEY, HEADER, TITLE, SUBTITLE, NOTE, LINK)


class Formats:
    """The XlsxWriter formats of one workbook, made once per (style, number format, extras)."""

    def __init__(self, book) -> None:  # noqa: ANN001 - xlsxwriter.Workbook
        self.book = book
        self._made: dict[tuple, object] = {}

    def __call__(self, style: str, number_format: str = "General", **override: object):  # noqa: ANN204
        key = (style, number_format, tuple(sorted(override.items())))
        fmt = self._made.get(key)
        if fmt is None:
            fmt = self._made[key] = self.book.add_format(STYLES[style].xlsx(number_format, **override))
        return fmt

    def fill(self, colour: str):  # noqa: ANN201 - a conditional format's fill
        key = ("fill", colour)
        fmt = self._made.get(key)
        if fmt is None:
            fmt = self._made[key] = self.book.add_format({"bg_color": "#" + colour})
        return fmt


def style_for_role(role: str) -> str:
    """Style of a table column role (``key``/``input``/``calc``/``comment``)."""
    return {"input": INPUT, "comment": INPUT, "key": KEY, "calc": CALC}.get(role, OUTPUT)
