"""Named cell styles of REGBEF workbooks (one input style, used only on editable cells).

Named styles keep files small and fast to write: a cell refers to a style by name instead of
carrying its own font, fill, border and protection objects. The cover sheet shows a legend.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side

#: Palette (FAST-like: inputs yellow with blue text, calculations black, outputs on white).
INPUT_FILL = "FFF2CC"
INPUT_FONT = "1F4E9A"
CALC_FILL = "EDEDED"
HEADER_FILL = "1F4E78"
TITLE_COLOUR = "1F4E78"
OK_FILL = "E2EFDA"
ERROR_FILL = "F8CBAD"
TABLE_STYLE = "TableStyleLight9"

_thin = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)

INPUT = "REGBEF input"
CALC = "REGBEF beregnet"
OUTPUT = "REGBEF resultat"
KEY = "REGBEF nøkkel"
HEADER = "REGBEF overskrift"
TITLE = "REGBEF tittel"
SUBTITLE = "REGBEF undertittel"
NOTE = "REGBEF merknad"
LINK = "REGBEF lenke"


def _styles() -> list[NamedStyle]:
    unlocked = Protection(locked=False)
    locked = Protection(locked=True)
    return [
        NamedStyle(INPUT, font=Font(name="Calibri", size=11, color=INPUT_FONT),
                   fill=PatternFill("solid", fgColor=INPUT_FILL), border=_BORDER, protection=unlocked),
        NamedStyle(CALC, font=Font(name="Calibri", size=11, color="000000"),
                   fill=PatternFill("solid", fgColor=CALC_FILL), border=_BORDER, protection=locked),
        NamedStyle(OUTPUT, font=Font(name="Calibri", size=11, color="000000"), border=_BORDER,
                   protection=locked),
        NamedStyle(KEY, font=Font(name="Calibri", size=11, color="000000", bold=False),
                   border=_BORDER, protection=unlocked),
        NamedStyle(HEADER, font=Font(name="Calibri", size=11, bold=True, color="FFFFFF"),
                   fill=PatternFill("solid", fgColor=HEADER_FILL),
                   alignment=Alignment(wrap_text=True, vertical="center"), border=_BORDER),
        NamedStyle(TITLE, font=Font(name="Calibri", size=16, bold=True, color=TITLE_COLOUR)),
        NamedStyle(SUBTITLE, font=Font(name="Calibri", size=12, bold=True, color=TITLE_COLOUR)),
        NamedStyle(NOTE, font=Font(name="Calibri", size=10, italic=True, color="595959"),
                   alignment=Alignment(wrap_text=False, vertical="top")),
        NamedStyle(LINK, font=Font(name="Calibri", size=11, color="0563C1", underline="single")),
    ]  # fmt: skip


STYLE_NAMES = (INPUT, CALC, OUTPUT, KEY, HEADER, TITLE, SUBTITLE, NOTE, LINK)


def register_styles(wb: Workbook) -> None:
    """Add the REGBEF named styles to ``wb`` (idempotent)."""
    have = set(wb.named_styles)
    for style in _styles():
        if style.name not in have:
            wb.add_named_style(style)


def style_for_role(role: str) -> str:
    """Named style of a table column role (``key``/``input``/``calc``/``comment``)."""
    return {"input": INPUT, "comment": INPUT, "key": KEY, "calc": CALC}.get(role, OUTPUT)
