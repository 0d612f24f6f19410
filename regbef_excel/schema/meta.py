"""What a workbook holds besides the engine's inputs: names, sources, comments, fit quality,
history and version stamps. Carried by the reader to the builder so a round trip keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RCFitQuality:
    """Fit quality of one Rogers–Castro schedule (read-only columns of ``tblRogersCastro``)."""

    n_params: int | None = None
    sse: float | None = None
    converged: bool | None = None
    at_bounds: tuple[str, ...] = ()


@dataclass
class WorkbookMeta:
    """Everything in a REGBEF workbook that is not a :class:`ProjectionInputs` field.

    Attributes
    ----------
    region_name
        Shown on the cover and in results.
    language
        ``'nb'`` or ``'en'``: language of labels.
    estimation_start, estimation_end
        The estimation period of project generation (optional).
    provenance
        Data sources and licences, one line each (cover sheet).
    notes
        Free notes (cover sheet).
    comments
        Source/comment column texts: table name → row key → text. Row keys are tuples of the
        table's key columns in stored form, e.g. ``('0301', 5)`` for ``tblPopulation`` and
        ``('EUF', '0301', 'F')`` for ``tblRogersCastro``, ``('base_year',)`` for settings.
    fit_quality
        ``(flow, zone_code, sex)`` → :class:`RCFitQuality`.
    history
        Optional history tables: ``'tblHistPopulation'`` / ``'tblHistMigration'`` →
        :class:`pandas.DataFrame` with the schema's column keys.
    template_version, schema_version, engine_version, created
        Version stamps read back from a workbook (ignored when building).
    read_notes
        What the reader accepted but did not use (e.g. year factors after the horizon); the run
        reports them with the projection's warnings, so no input is ignored silently.
    """

    region_name: str = ""
    language: str = "nb"
    estimation_start: int | None = None
    estimation_end: int | None = None
    provenance: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    comments: dict[str, dict[tuple, str]] = field(default_factory=dict)
    fit_quality: dict[tuple[str, str, str], RCFitQuality] = field(default_factory=dict)
    history: dict[str, Any] = field(default_factory=dict)
    template_version: str | None = None
    schema_version: str | None = None
    engine_version: str | None = None
    read_notes: tuple[str, ...] = ()
    created: str | None = None
    #: Schema sheet key → the sheet's name in this workbook (either language).
    sheet_names: dict[str, str] = field(default_factory=dict)
    #: ``(year, zone code)`` → the cell of that target's value (zone ``''``: the region).
    target_cells: dict[tuple[int, str], str] = field(default_factory=dict)
    #: Settings that are not a :class:`ProjectionInputs` field (the fertility and elderly
    #: in-migration assumptions and their parameters): key → value; written as the settings' values
    #: and read back from them.
    settings: dict[str, Any] = field(default_factory=dict)

    def comment(self, table: str, key: tuple) -> str | None:
        return self.comments.get(table, {}).get(key)
