"""Shared test configuration: markers. Helpers shared between test modules live in
``tests/support/`` (LibreOffice rendering, rich market inputs, synthetic inputs); the independent
reference model in ``tests/reference/``."""

from __future__ import annotations

MARKERS = (
    "slow: takes more than a few seconds",
    "libreoffice: needs LibreOffice (soffice) and poppler (pdftoppm)",
    "excel: needs Microsoft Excel (Windows/macOS); skipped elsewhere",
)


def pytest_configure(config) -> None:  # noqa: ANN001 - pytest.Config
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
