"""Shared test helpers: LibreOffice rendering, rich market inputs, synthetic inputs."""
