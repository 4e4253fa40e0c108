"""Run manifests: what went in (file hashes, scheme), with what parameters and versions."""
from __future__ import annotations

import datetime as _dt
import importlib.metadata as md
import platform
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["build_manifest", "package_versions"]

_PACKAGES = ("perfkit", "numpy", "pandas", "scipy", "pydantic", "pyyaml", "openpyxl", "pyarrow",
             "scikit-learn", "statsmodels", "SALib", "altair", "vl-convert-python", "papermill")


def package_versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def build_manifest(ev: Any, *, outputs: Mapping[str, str] | None = None,
                   extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A JSON-ready record of one evaluation run."""
    return {
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "scheme": {"id": ev.scheme.id, "file": ev.scheme.file, "sha256": ev.scheme.hash},
        "round": ev.input_data.round,
        "data_source": ev.input_data.source,
        "inputs": [{"path": p, "sha256": h} for p, h in ev.input_data.files],
        "recipe": [{"stage": s.stage, "target": s.target, "method": s.method, "params": s.params}
                   for s in ev.recipe],
        "validation": {"errors": len(ev.validation.errors), "warnings": len(ev.validation.warnings)},
        "units": len(ev.results),
        "versions": package_versions(),
        "outputs": dict(outputs or {}),
        **dict(extra or {}),
    }
