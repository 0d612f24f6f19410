"""REGBEF engine: pure computation on numpy arrays (no spreadsheets, no files, no printing)."""

from __future__ import annotations

from regbef_excel.engine.inputs import ProjectionInputs
from regbef_excel.engine.projection import project
from regbef_excel.engine.results import Projection

__all__ = ["ProjectionInputs", "Projection", "project"]
