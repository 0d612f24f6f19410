"""REGBEF engine: pure computation on numpy arrays (no spreadsheets, no files, no printing)."""

from __future__ import annotations

from .inputs import ProjectionInputs
from .projection import project
from .results import Projection

__all__ = ["ProjectionInputs", "Projection", "project"]
