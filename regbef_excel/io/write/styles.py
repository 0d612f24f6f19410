"""Cell styles of REGBEF input workbooks (one input style, used only on editable cells).

:class:`CellStyle` is THE cell-style description of every workbook regbef_excel writes (input
and output sheets; :func:`xlsx_props` turns it into XlsxWriter format properties, the output
toolkit :mod:`regbef_excel.io.write.sheets` also into openpyxl named styles). :data:`STYLES` are
the input workbook's named roles; :class:`Formats` makes their XlsxWriter formats once per
workbook. The cover sheet shows a legend.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    """A cell's look as plain values (colours as ``RRGGBB``; ``None`` = the default)."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None
    colour: str | None = None
    fill: str | None = None
    border_top: str | None = None  # thin line in this colour
    border_bottom: str | None = None
    border_box: str | None = None  # thin line on all four sides
    wrap: bool = False
    horizontal: str | None = None  # left | center | right
    vertical: str | None = None  # top | center | bottom
    number_format: str = "General"
    unlocked: bool = False

    def but(self, **changes: object) -> CellStyle:
        """This style with ``changes``."""
        return replace(self, **changes)

    @property
    def only_number_format(self) -> bool:
        return replace(self, number_format="General") == CellStyle()



def xlsx_props(s: CellStyle) -> dict[str, object]:
    """The XlsxWriter format properties of ``s`` (XlsxWriter's defaults: Calibri 11, black)."""
    p: dict[str, object] = {}
    if s.bold:
        p["bold"] = True
    if s.italic:
        p["italic"] = True
    if s.underline:
        p["underline"] = 1
    if s.size:
        p["font_size"] = s.size
    if s.colour:
        p["font_color"] = "#" + s.colour
    if s.fill:
        p["bg_color"] = "#" + s.fill
        p["pattern"] = 1
    if s.border_box:
        p["border"], p["border_color"] = 1, "#" + s.border_box
    if s.border_top:
        p["top"], p["top_color"] = 1, "#" + s.border_top
    if s.border_bottom:
        p["bottom"], p["bottom_color"] = 1, "#" + s.border_bottom
    if s.wrap:
        p["text_wrap"] = True
    if s.horizontal:
        p["align"] = s.horizontal
    if s.vertical:
        p["valign"] = "vcenter" if s.vertical == "center" else s.vertical
    if s.number_format != "General":
        p["num_format"] = s.number_format
    if s.unlocked:
        p["locked"] = False
    return p


#: The input workbook's named roles (the cover's legend) as cell styles.
STYLES: dict[str, CellStyle] = {
    INPUT: CellStyle(colour=INPUT_FONT, fill=INPUT_FILL, border_box=BORDER_COLOUR, unlocked=True),
    CALC: CellStyle(fill=CALC_FILL, border_box=BORDER_COLOUR),
    OUTPUT: CellStyle(border_box=BORDER_COLOUR),
    KEY: CellStyle(border_box=BORDER_COLOUR),  # locked: a key names the row (Tab skips it)
    HEADER: CellStyle(bold=True, colour="FFFFFF", fill=HEADER_FILL, border_box=BORDER_COLOUR, wrap=True,
                      vertical="center"),
    TITLE: CellStyle(size=16, bold=True, colour=TITLE_COLOUR),
    SUBTITLE: CellStyle(size=12, bold=True, colour=TITLE_COLOUR),
    NOTE: CellStyle(size=10, italic=True, colour=NOTE_COLOUR, vertical="top"),
    LINK: CellStyle(colour=LINK_COLOUR, underline=True),
    PLAIN: CellStyle(),
}  # fmt: skip

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
            props = xlsx_props(STYLES[style].but(number_format=number_format))
            fmt = self._made[key] = self.book.add_format({**props, **override})
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


#: What a planner may still do on a protected sheet (no password): widen columns and rows, filter
#: and sort, select any cell. Tab moves between the unlocked cells, which are the input cells
#: (the input sheets' yellow cells, the result sheets' selectors).
PROTECTION = {"format_columns": True, "format_rows": True, "autofilter": True, "sort": True}

