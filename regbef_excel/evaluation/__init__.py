"""Judging projections, as tables (no workbook files): scenarios, back-test, SSB comparison."""
