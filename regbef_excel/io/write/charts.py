"""Native Excel charts for the output sheets (openpyxl chart objects).

The functions here know chart types, styling and cell ranges, nothing about projections: the
writer (:mod:`regbef_excel.io.write.results`) lays the data out and passes the ranges in. Every axis
gets ``delete = False`` explicitly, because Excel may hide axes that openpyxl leaves unset
(spec/workbook.md). Ranges are given as 1-based rows and columns of ``ws``.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import floor, log10

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from regbef_excel.schema.outputs import FMT_PERSONS, FMT_PYRAMID

#: Chart size in centimetres (openpyxl's unit).
WIDTH_CM = 17.0
HEIGHT_CM = 9.0
#: Series colours (colour-blind safe Okabe–Ito palette, then greys).
PALETTE = (
    "0072B2", "D55E00", "009E73", "CC79A7", "E69F00", "56B4E9", "8C564B", "000000",
    "7F7F7F", "B2B2B2",
)  # fmt: skip
MALE_COLOUR = "2F6EBA"
FEMALE_COLOUR = "D9534F"


def _show_axes(chart) -> None:
    """Make both axes visible (openpyxl leaves ``delete`` unset; Excel may then hide them)."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _colour_line(series: Series, colour: str, width_emu: int = 22_000) -> None:
    series.graphicalProperties.line.solidFill = colour
    series.graphicalProperties.line.width = width_emu
    series.smooth = False
    series.marker.symbol = "none"


def _colour_fill(series: Series, colour: str) -> None:
    series.graphicalProperties = GraphicalProperties(solidFill=colour)
    series.graphicalProperties.line = LineProperties(solidFill=colour)


def _base_line_chart(title: str, y_title: str, x_title: str | None, number_format: str) -> LineChart:
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    if x_title:
        chart.x_axis.title = x_title
    chart.y_axis.number_format = number_format
    chart.y_axis.majorGridlines = chart.y_axis.majorGridlines  # keep the default gridlines
    chart.x_axis.tickLblPos = "low"
    chart.legend = Legend()
    chart.legend.position = "r"
    chart.width, chart.height = WIDTH_CM, HEIGHT_CM
    _show_axes(chart)
    return chart


def line_chart_from_rows(
    ws: Worksheet,
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
) -> LineChart:
    """A line chart with one series per sheet row (years along the x axis).

    Parameters
    ----------
    ws : Worksheet
        Sheet holding the data.
    rows : sequence of int
        Data rows, one series each (need not be adjacent).
    title_col : int
        Column with the series names; must be ``first_col - 1`` (openpyxl takes the first cell of
        a row reference as its title).
    first_col, last_col : int
        Columns of the values (one per year).
    categories_row : int
        Row with the year labels.
    title, y_title, x_title : str
        Chart and axis titles.
    number_format : str
        Value-axis number format.

    Returns
    -------
    LineChart
        Not yet anchored; call ``ws.add_chart(chart, anchor)``.
    """
    if title_col != first_col - 1:
        raise ValueError("the series-name column must be just left of the first value column")
    chart = _base_line_chart(title, y_title, x_title, number_format)
    for i, r in enumerate(rows):
        ref = Reference(ws, min_col=title_col, max_col=last_col, min_row=r, max_row=r)
        series = Series(ref, title_from_data=True)
        _colour_line(series, PALETTE[i % len(PALETTE)])
        chart.series.append(series)
    cats = Reference(ws, min_col=first_col, max_col=last_col, min_row=categories_row, max_row=categories_row)
    chart.set_categories(cats)
    if len(rows) == 1:
        chart.legend = None
    return chart


def components_chart(
    ws: Worksheet,
    *,
    header_row: int,
    first_row: int,
    last_row: int,
    category_col: int,
    bar_cols: Sequence[int],
    line_col: int | None,
    title: str,
    y_title: str,
) -> BarChart:
    """Stacked columns of the components of change (outflows negative) with net growth as a line.

    Columns of ``ws`` hold one series each with its name in ``header_row``; rows are years.
    """
    bar = BarChart()
    bar.type = "col"
    bar.grouping = "stacked"
    bar.overlap = 100
    bar.gapWidth = 40
    bar.title = title
    bar.y_axis.title = y_title
    bar.y_axis.number_format = FMT_PYRAMID.replace(";#,##0", ";-#,##0")
    bar.x_axis.tickLblPos = "low"
    bar.width, bar.height = WIDTH_CM + 3, HEIGHT_CM + 2
    for i, col in enumerate(bar_cols):
        ref = Reference(ws, min_col=col, max_col=col, min_row=header_row, max_row=last_row)
        series = Series(ref, title_from_data=True)
        _colour_fill(series, PALETTE[i % len(PALETTE)])
        bar.series.append(series)
    cats = Reference(ws, min_col=category_col, max_col=category_col, min_row=first_row, max_row=last_row)
    bar.set_categories(cats)
    _show_axes(bar)
    if line_col is not None:
        line = LineChart()
        ref = Reference(ws, min_col=line_col, max_col=line_col, min_row=header_row, max_row=last_row)
        series = Series(ref, title_from_data=True)
        _colour_line(series, "000000", 28_000)
        series.marker.symbol = "circle"
        series.marker.size = 4
        series.marker.graphicalProperties = GraphicalProperties(solidFill="000000")
        line.series.append(series)
        line.set_categories(cats)
        _show_axes(line)
        bar += line
    bar.legend = Legend()
    bar.legend.position = "b"
    return bar


def pyramid_chart(
    ws: Worksheet,
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
) -> BarChart:
    """A population pyramid: horizontal bars, males (stored negative) left, females right.

    Overlap 100 and gap 0 make one bar per age; category labels sit at the low (left) end so they
    do not run through the bars; the value format hides the males' minus sign. ``axis_max`` fixes a
    symmetric value axis so that pyramids side by side are comparable.
    """
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.overlap = 100
    chart.gapWidth = 0
    chart.title = title
    for col, colour in ((male_col, MALE_COLOUR), (female_col, FEMALE_COLOUR)):
        ref = Reference(ws, min_col=col, max_col=col, min_row=header_row, max_row=last_row)
        series = Series(ref, title_from_data=True)
        _colour_fill(series, colour)
        chart.series.append(series)
    cats = Reference(ws, min_col=age_col, max_col=age_col, min_row=first_row, max_row=last_row)
    chart.set_categories(cats)
    # In a bar chart the category axis (x_axis) is vertical, the value axis (y_axis) horizontal.
    chart.x_axis.tickLblPos = "low"
    chart.x_axis.tickLblSkip = label_every
    chart.x_axis.tickMarkSkip = label_every
    chart.x_axis.title = None
    chart.y_axis.number_format = FMT_PYRAMID
    chart.y_axis.title = x_title
    if axis_max:
        chart.y_axis.scaling.min = -axis_max
        chart.y_axis.scaling.max = axis_max
        chart.y_axis.majorUnit = nice_ceiling(axis_max / 3)
    chart.legend = Legend()
    chart.legend.position = "b"
    chart.width, chart.height = 12.0, 17.0
    _show_axes(chart)
    return chart


def _column_series(ws: Worksheet, col: int, header_row: int, first_row: int, last_row: int) -> Series:
    """A series of rows ``first_row..last_row`` of column ``col``, named by the header cell (the
    data need not start right below the header)."""
    ref = Reference(ws, min_col=col, max_col=col, min_row=first_row, max_row=last_row)
    series = Series(ref)
    letter = get_column_letter(col)
    series.tx = SeriesLabel(strRef=StrRef(f"{quote_sheetname(ws.title)}!${letter}${header_row}"))
    return series


def line_chart_from_columns(
    ws: Worksheet,
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
) -> LineChart:
    """A line chart with one series per column (names in ``header_row``, rows = categories)."""
    chart = _base_line_chart(title, y_title, None, number_format)
    for i, col in enumerate(value_cols):
        series = _column_series(ws, col, header_row, first_row, last_row)
        _colour_line(series, colours[i % len(colours)])
        chart.series.append(series)
    cats = Reference(ws, min_col=category_col, max_col=category_col, min_row=first_row, max_row=last_row)
    chart.set_categories(cats)
    chart.legend.position = "b"
    return chart


def bar_chart_from_columns(
    ws: Worksheet,
    *,
    header_row: int,
    first_row: int,
    last_row: int,
    category_col: int,
    value_cols: Sequence[int],
    title: str,
    y_title: str,
    horizontal: bool = True,
    number_format: str = FMT_PERSONS,
    colours: Sequence[str] = PALETTE,
) -> BarChart:
    """Clustered bars, one series per column, one bar group per row (e.g. per municipality).

    Horizontal bars (default) keep long municipality names readable; the category axis runs
    top-down in the row order of the sheet.
    """
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "clustered"
    chart.gapWidth = 60
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.number_format = number_format
    chart.y_axis.majorGridlines = chart.y_axis.majorGridlines
    for i, col in enumerate(value_cols):
        series = _column_series(ws, col, header_row, first_row, last_row)
        _colour_fill(series, colours[i % len(colours)])
        chart.series.append(series)
    cats = Reference(ws, min_col=category_col, max_col=category_col, min_row=first_row, max_row=last_row)
    chart.set_categories(cats)
    chart.x_axis.tickLblPos = "low"
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first row at the top
    chart.legend = Legend()
    chart.legend.position = "b"
    if len(value_cols) == 1:
        chart.legend = None
    n = last_row - first_row + 1
    chart.width = WIDTH_CM
    chart.height = max(HEIGHT_CM, min(30.0, 2.5 + 0.55 * n * (1 + 0.4 * (len(value_cols) - 1))))
    _show_axes(chart)
    return chart


def nice_ceiling(value: float) -> float:
    """Round ``value`` up to 1, 2, 2.5 or 5 times a power of ten (a tidy axis maximum)."""
    if value <= 0:
        return 1.0

    p = 10 ** floor(log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * p:
            return m * p
    return 10 * p


__all__ = [
    "bar_chart_from_columns",
    "components_chart",
    "line_chart_from_columns",
    "line_chart_from_rows",
    "nice_ceiling",
    "pyramid_chart",
]
