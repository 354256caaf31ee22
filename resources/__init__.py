"""Bundled resources (catalogue data, fonts, templates) and the one helper that locates them.

`resource_path()` is the only place that knows about PyInstaller's frozen mode.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Absolute path of a bundled resource, in a source checkout or a frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    base = Path(frozen_root) / "resources" if frozen_root else Path(__file__).resolve().parent
    return base.joinpath(*parts)
