"""Native Excel charts for the output sheets: one library-neutral description, one renderer.

A :class:`Chart` is plain values (kind, series as cell ranges, titles, axis settings, size in
centimetres); :func:`to_xlsxwriter` turns it into an XlsxWriter chart (every workbook with charts
is written with XlsxWriter). The
builders here (line charts by rows or by columns, stacked components with a growth line,
population pyramids, clustered bars, coefficient bars with error bars) know chart types,
styling and ranges, nothing about projections; the writers lay the data out and pass the
ranges in. Both axes are always drawn: XlsxWriter writes no ``delete`` element, which means drawn
(openpyxl charts would have to set it to false, spec/workbook.md). Rows and columns are 1-based.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from math import floor, log10
from typing import Literal

from regbef_excel.schema.layout import column_letter, quote_sheet
from regbef_excel.schema.outputs import FMT_PERSONS, FMT_PYRAMID

#: Chart size in centimetres.
WIDTH_CM = 17.0
HEIGHT_CM = 9.0
#: Series colours (colour-blind safe Okabe–Ito palette, then greys).
PALETTE = (
    "0072B2", "D55E00", "009E73", "CC79A7", "E69F00", "56B4E9", "8C564B", "000000",
    "7F7F7F", "B2B2B2",
)  # fmt: skip
MALE_COLOUR = "2F6EBA"
FEMALE_COLOUR = "D9534F"
#: Outline of a chosen third year in an overlaid pyramid.
CHOSEN_COLOUR = "E69F00"


# --------------------------------------------------------------------------- description
@dataclass(frozen=True)
class Ref:
    """A block of cells ``first_row..last_row`` × ``first_col..last_col`` of sheet ``sheet``."""

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def a1(self) -> str:
        a, b = column_letter(self.first_col), column_letter(self.last_col)
        if (self.first_row, self.first_col) == (self.last_row, self.last_col):
            return f"{quote_sheet(self.sheet)}!${a}${self.first_row}"
        return f"{quote_sheet(self.sheet)}!${a}${self.first_row}:${b}${self.last_row}"


@dataclass(frozen=True)
class ChartSeries:
    """One series: values, its name (a cell or a text), colour, and how it is drawn."""

    values: Ref
    name: Ref | str
    colour: str
    as_line: bool = False  # a line in a bar chart (drawn on the same axes)
    line_pt: float = 1.75
    marker: bool = False
    error_bars: Ref | None = None  # ± these values (custom error bars with caps)
    outline: bool = False  # bars drawn as an outline only (an overlaid second year)
    outline_pt: float = 1.0  # width of that outline
    dash: str | None = None  # a dashed line ("dash"); None = solid
    in_legend: bool = True  # False: drawn, but without a legend entry


@dataclass(frozen=True)
class Chart:
    """A chart as plain values; ``kind`` "bar" = horizontal bars, "column" = vertical, "area"
    = filled areas (stacked when ``stacked``)."""

    kind: Literal["line", "bar", "column", "area"]
    series: tuple[ChartSeries, ...]
    categories: Ref
    title: str
    value_title: str | None = None
    category_title: str | None = None
    value_format: str = FMT_PERSONS
    stacked: bool = False
    overlap: int | None = None
    gap: int | None = None
    value_min: float | None = None
    value_max: float | None = None
    value_major: float | None = None
    categories_reversed: bool = False  # bars: first row at the top
    label_every: int | None = None
    legend: Literal["right", "bottom"] | None = "right"
    width_cm: float = WIDTH_CM
    height_cm: float = HEIGHT_CM
    gridlines: bool = True


# --------------------------------------------------------------------------- builders
def line_chart_from_rows(
    sheet: str,
    *,
    rows: Sequence[int],
    title_col: int,
    first_col: int,
    last_col: int,
    categories_row: int,
    title: str,
    y_title: str,
    x_title: str | None = None,
    number_format: str = FMT_PERSONS,
    observed_rows: Sequence[int] | None = None,
    observed_in_legend: bool = False,
) -> Chart:
    """A line chart with one series per sheet row (years along the x axis), named by the cell
    in ``title_col`` of that row; one row gets no legend.

    ``observed_rows`` (one per row) adds the observed history of each line: that row holds the
    observed years (blank after), ``rows`` the projected years (blank before), both the base
    year, so the parts meet there (blank cells are gaps). The observed part is a lighter dashed
    line in the same colour, without a legend entry unless ``observed_in_legend``."""
    series: list[ChartSeries] = []
    for i, r in enumerate(rows):
        colour = PALETTE[i % len(PALETTE)]
        if observed_rows is not None:
            o = observed_rows[i]
            series.append(ChartSeries(Ref(sheet, o, first_col, o, last_col), Ref(sheet, o, title_col, o, title_col),
                                      tint(colour, 0.35), line_pt=2.0, dash="dash", in_legend=observed_in_legend))  # fmt: skip
        series.append(ChartSeries(Ref(sheet, r, first_col, r, last_col), Ref(sheet, r, title_col, r, title_col), colour))
    legend = "right" if observed_rows is None else "bottom"
    return Chart(
        "line", tuple(series), Ref(sheet, categories_row, first_col, categories_row, last_col), title,
        value_title=y_title, category_title=x_title, value_format=number_format,
        legend=None if len(rows) == 1 and not observed_in_legend else legend,
    )  # fmt: skip


def tint(colour: str, share: float = 0.5) -> str:
    """``colour`` (``RRGGBB``) mixed with white: ``share`` = how much white."""
    rgb = [int(colour[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c + (255 - c) * share):02X}" for c in rgb)


def line_chart_from_columns(
    sheet: str,
    *,
    header_row: int,
    first_row: int,
    last_row: int,
    category_col: int,
    value_cols: Sequence[int],
    title: str,
    y_title: str,
    x_title: str | None = None,
    number_format: str = FMT_PERSONS,
    colours: Sequence[str] = PALETTE,
) -> Chart:
    """A line chart with one series per column (names in ``header_row``, rows = categories)."""
    series = tuple(
        ChartSeries(Ref(sheet, first_row, c, last_row, c), Ref(sheet, header_row, c, header_row, c),
                    colours[i % len(colours)])
        for i, c in enumerate(value_cols)
    )  # fmt: skip
    return Chart("line", series, Ref(sheet, first_row, category_col, last_row, category_col), title,
                 value_title=y_title, category_title=x_title, value_format=number_format, legend="bottom")  # fmt: skip


def bar_chart_from_columns(
    sheet: str,
    *,
    header_row: int,
    first_row: int,
    last_row: int,
    category_col: int,
    value_cols: Sequence[int],
    title: str,
    y_title: str,
    number_format: str = FMT_PERSONS,
    colours: Sequence[str] = PALETTE,
) -> Chart:
    """Clustered horizontal bars, one series per column, one bar group per row (e.g. per
    municipality) in the row order of the sheet; long names stay readable."""
    series = tuple(
        ChartSeries(Ref(sheet, first_row, c, last_row, c), Ref(sheet, header_row, c, header_row, c),
                    colours[i % len(colours)])
        for i, c in enumerate(value_cols)
    )  # fmt: skip
    n = last_row - first_row + 1
    height = max(HEIGHT_CM, min(30.0, 2.5 + 0.55 * n * (1 + 0.4 * (len(value_cols) - 1))))
    return Chart(
        "bar", series, Ref(sheet, first_row, category_col, last_row, category_col), title,
        value_title=y_title, value_format=number_format, gap=60, categories_reversed=True,
        legend=None if len(value_cols) == 1 else "bottom", height_cm=height,
    )  # fmt: skip


def components_chart(
    sheet: str,
    *,
    header_row: int,
    first_row: int,
    last_row: int,
    category_col: int,
    bar_cols: Sequence[int],
    line_col: int | None,
    title: str,
    y_title: str,
) -> Chart:
    """Stacked columns of the components of change (outflows negative) with net growth as a line.

    Columns of the sheet hold one series each with its name in ``header_row``; rows are years.
    """
    series = [
        ChartSeries(Ref(sheet, first_row, c, last_row, c), Ref(sheet, header_row, c, header_row, c),
                    PALETTE[i % len(PALETTE)])
        for i, c in enumerate(bar_cols)
    ]  # fmt: skip
    if line_col is not None:
        series.append(ChartSeries(
            Ref(sheet, first_row, line_col, last_row, line_col),
            Ref(sheet, header_row, line_col, header_row, line_col), "000000", as_line=True, line_pt=2.2,
            marker=True,
        ))  # fmt: skip
    return Chart(
        "column", tuple(series), Ref(sheet, first_row, category_col, last_row, category_col), title,
        value_title=y_title, value_format=FMT_PYRAMID.replace(";#,##0", ";-#,##0"), stacked=True,
        overlap=100, gap=40, legend="bottom", width_cm=WIDTH_CM + 3, height_cm=HEIGHT_CM + 2,
    )  # fmt: skip


def pyramid_chart(
    sheet: str,
    *,
    header_row: int,
    first_row: int,
    last_row: int,
    age_col: int,
    male_col: int,
    female_col: int,
    title: str,
    x_title: str,
    axis_max: float | None = None,
    label_every: int = 10,
) -> Chart:
    """A population pyramid: horizontal bars, males (stored negative) left, females right.

    Overlap 100 and gap 0 make one bar per age; category labels sit at the low (left) end; the
    value format hides the males' minus sign. ``axis_max`` fixes a symmetric value axis so that
    pyramids side by side are comparable.
    """
    series = tuple(
        ChartSeries(Ref(sheet, first_row, c, last_row, c), Ref(sheet, header_row, c, header_row, c), colour)
        for c, colour in ((male_col, MALE_COLOUR), (female_col, FEMALE_COLOUR))
    )  # fmt: skip
    return Chart(
        "bar", series, Ref(sheet, first_row, age_col, last_row, age_col), title, value_title=x_title,
        value_format=FMT_PYRAMID, overlap=100, gap=0, label_every=label_every,
        value_min=-axis_max if axis_max else None, value_max=axis_max or None,
        value_major=nice_ceiling(axis_max / 3) if axis_max else None, legend="bottom",
        width_cm=12.0, height_cm=17.0, gridlines=False,
    )  # fmt: skip


def overlaid_pyramid_chart(
    sheet: str,
    *,
    header_row: int,
    first_row: int,
    last_row: int,
    age_col: int,
    male_col: int,
    female_col: int,
    line_male_col: int,
    line_female_col: int,
    title: str,
    x_title: str,
    axis_max: float | None = None,
    label_every: int = 10,
    chosen_cols: tuple[int, int] | None = None,
) -> Chart:
    """One pyramid of two years: the first pair of columns as filled bars, the second pair as
    dark outlines drawn over them (same ages, same axis), so the change shows at a glance;
    ``chosen_cols`` (males, females) adds a third year as orange outlines."""
    base = pyramid_chart(sheet, header_row=header_row, first_row=first_row, last_row=last_row,
                         age_col=age_col, male_col=male_col, female_col=female_col, title=title,
                         x_title=x_title, axis_max=axis_max, label_every=label_every)  # fmt: skip
    outlines = tuple(
        ChartSeries(Ref(sheet, first_row, c, last_row, c), Ref(sheet, header_row, c, header_row, c), colour,
                    outline=True, outline_pt=width)
        for c, colour, width in ((line_male_col, "1B3A66", 1.0), (line_female_col, "7A1F1C", 1.0), *(
            (c, CHOSEN_COLOUR, 0.75) for c in (chosen_cols or ())))
    )  # fmt: skip
    return Chart(
        base.kind, base.series + outlines, base.categories, title, value_title=x_title,
        value_format=base.value_format, overlap=100, gap=0, label_every=label_every,
        value_min=base.value_min, value_max=base.value_max, value_major=base.value_major,
        legend="bottom", width_cm=16.0, height_cm=18.0, gridlines=False,
    )  # fmt: skip


def coefficient_chart(
    sheet: str,
    *,
    header_row: int,
    first_row: int,
    last_row: int,
    category_col: int,
    value_cols: Sequence[int],
    error_cols: Sequence[int],
    title: str,
    y_title: str,
    colours: Sequence[str] = ("0072B2", "D55E00"),
) -> Chart:
    """Columns of effects with ± error bars (values in ``value_cols``, half-widths beside them)."""
    series = tuple(
        ChartSeries(Ref(sheet, first_row, c, last_row, c), Ref(sheet, header_row, c, header_row, c),
                    colours[i % len(colours)], error_bars=Ref(sheet, first_row, e, last_row, e))
        for i, (c, e) in enumerate(zip(value_cols, error_cols, strict=True))
    )  # fmt: skip
    return Chart("column", series, Ref(sheet, first_row, category_col, last_row, category_col), title,
                 value_title=y_title, value_format="0.0", legend="bottom", width_cm=16.0, height_cm=8.5)  # fmt: skip


def fan_chart(
    sheet: str,
    *,
    header_row: int,
    first_row: int,
    last_row: int,
    category_col: int,
    base_col: int,
    band_cols: Sequence[int],
    line_col: int,
    title: str,
    y_title: str,
    colours: Sequence[str] = ("C6DBEF", "6BAED6", "C6DBEF"),
) -> Chart:
    """A fan chart: stacked areas of the interval bands with the projection as a line.

    ``base_col`` holds the lower bound of the widest interval (stacked first, drawn without
    fill); ``band_cols`` the widths of the bands stacked on it, bottom to top (e.g. lower 80 −
    lower 95, upper 80 − lower 80, upper 95 − upper 80), filled with ``colours``; ``line_col``
    the projected values, a dark line over the bands. Names in ``header_row``, rows = years.
    Stacked areas plus a line render the same in Excel and LibreOffice.
    """

    def ref(c: int) -> Ref:
        return Ref(sheet, first_row, c, last_row, c)

    def name(c: int) -> Ref:
        return Ref(sheet, header_row, c, header_row, c)

    series = [ChartSeries(ref(base_col), name(base_col), "FFFFFF", outline=True)]
    series += [ChartSeries(ref(c), name(c), colours[i % len(colours)]) for i, c in enumerate(band_cols)]
    series.append(ChartSeries(ref(line_col), name(line_col), "08306B", as_line=True, line_pt=2.25))
    return Chart(
        "area", tuple(series), Ref(sheet, first_row, category_col, last_row, category_col), title,
        value_title=y_title, stacked=True, legend="bottom", width_cm=WIDTH_CM, height_cm=HEIGHT_CM + 1,
    )  # fmt: skip


def nice_floor(value: float) -> float:
    """Round ``value`` down to a multiple of 1, 2 or 5 times the power of ten one below its
    own (a tidy axis minimum close under the data); 0 for values ≤ 0."""
    if value <= 0:
        return 0.0
    step = 10 ** (floor(log10(value)) - 1)
    for m in (5, 2, 1):
        if value >= 10 * m * step:
            return floor(value / (m * step)) * m * step
    return floor(value / step) * step


def nice_ceiling(value: float) -> float:
    """Round ``value`` up to 1, 2, 2.5 or 5 times a power of ten (a tidy axis maximum)."""
    if value <= 0:
        return 1.0
    p = 10 ** floor(log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * p:
            return m * p
    return 10 * p


# --------------------------------------------------------------------------- XlsxWriter
_PX_PER_CM = 96 / 2.54


#: What XlsxWriter reads as a cell reference in a chart or axis title or a series name.
_LOOKS_LIKE_A_REFERENCE = re.compile(r"^=?[^!]+!\$?[A-Z]+\$?\d+")


def _safe_title(text: str) -> str:
    """Chart texts are text: one that looks like ``Sheet!A1`` gets an invisible word joiner
    (U+2060) after each ``!`` so that XlsxWriter does not read it as a reference."""
    if _LOOKS_LIKE_A_REFERENCE.match(text):
        return text.replace("!", "!\u2060")
    return text


def to_xlsxwriter(book, chart: Chart):  # noqa: ANN001, ANN201 - xlsxwriter Workbook / Chart
    """The XlsxWriter chart of ``chart`` in ``book`` (insert it with ``worksheet.insert_chart``)."""
    opts: dict[str, object] = {"type": chart.kind}
    if chart.stacked:
        opts["subtype"] = "stacked"
    xc = book.add_chart(opts)
    line = book.add_chart({"type": "line"}) if any(s.as_line for s in chart.series) else None
    for s in chart.series:
        so: dict[str, object] = {
            "values": "=" + s.values.a1,
            "categories": "=" + chart.categories.a1,
            "name": "=" + s.name.a1 if isinstance(s.name, Ref) else _safe_title(s.name),
        }
        colour = "#" + s.colour
        if chart.kind == "line" or s.as_line:
            so["line"] = {"color": colour, "width": s.line_pt}
            if s.dash:
                so["line"]["dash_type"] = s.dash
            so["marker"] = ({"type": "circle", "size": 4, "fill": {"color": colour}, "border": {"color": colour}}
                            if s.marker else {"type": "none"})  # fmt: skip
        elif chart.kind == "area":  # outline = an invisible base area (no fill, no border)
            so["fill"] = {"none": True} if s.outline else {"color": colour}
            so["border"] = {"none": True}
        else:
            so["fill"] = {"none": True} if s.outline else {"color": colour}
            so["border"] = {"color": colour, "width": s.outline_pt} if s.outline else {"color": colour}
            if chart.gap is not None:
                so["gap"] = chart.gap
            if chart.overlap is not None:
                so["overlap"] = chart.overlap
        if s.error_bars is not None:
            so["y_error_bars"] = {"type": "custom", "plus_values": "=" + s.error_bars.a1,
                                  "minus_values": "=" + s.error_bars.a1, "end_style": 1}  # fmt: skip
        (line if s.as_line else xc).add_series(so)
    if line is not None:
        xc.combine(line)
    xc.set_title({"name": _safe_title(chart.title), "name_font": {"size": 12, "bold": True}})
    value_axis: dict[str, object] = {"num_format": chart.value_format,
                                     "major_gridlines": {"visible": chart.gridlines}}  # fmt: skip
    if chart.value_title:
        value_axis["name"] = _safe_title(chart.value_title)
    for key, v in (("min", chart.value_min), ("max", chart.value_max), ("major_unit", chart.value_major)):
        if v is not None:
            value_axis[key] = v
    cat_axis: dict[str, object] = {"label_position": "low"}
    if chart.category_title:
        cat_axis["name"] = _safe_title(chart.category_title)
    if chart.categories_reversed:
        cat_axis["reverse"] = True
    if chart.label_every:
        cat_axis["interval_unit"] = chart.label_every
        cat_axis["interval_tick"] = chart.label_every
    if chart.kind == "bar":  # XlsxWriter: in a bar chart x is the (horizontal) value axis
        xc.set_x_axis(value_axis)
        xc.set_y_axis(cat_axis)
    else:
        xc.set_x_axis(cat_axis)
        xc.set_y_axis(value_axis)
    legend: dict[str, object] = {"position": chart.legend} if chart.legend else {"none": True}
    hidden = [i for i, s in enumerate(chart.series) if not s.in_legend]
    if chart.legend and hidden:
        legend["delete_series"] = hidden
    xc.set_legend(legend)
    xc.set_size({"width": round(chart.width_cm * _PX_PER_CM), "height": round(chart.height_cm * _PX_PER_CM)})
    return xc


__all__ = [
    "Chart",
    "ChartSeries",
    "Ref",
    "bar_chart_from_columns",
    "coefficient_chart",
    "components_chart",
    "fan_chart",
    "line_chart_from_columns",
    "line_chart_from_rows",
    "nice_ceiling",
    "nice_floor",
    "overlaid_pyramid_chart",
    "pyramid_chart",
    "tint",
    "to_xlsxwriter",
]
