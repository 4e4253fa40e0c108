"""Writing results: XLSX (one sheet per stage, bilingual headers), Parquet, manifest.

Every file is written to a temporary name in the target folder and renamed into place, so
a failure never leaves a half-written file. Text cells that a spreadsheet would run as a
formula (starting with ``= + - @`` or a tab/CR) are prefixed with ``'``.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from perfkit.i18n import catalogue, column_labels, t
from perfkit.io.manifest import build_manifest

__all__ = ["atomic_path", "neutralise_formulas", "safe_filename", "write_xlsx", "write_evaluation"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMERIC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def neutralise_formulas(value: Any) -> Any:
    """Prefix ``'`` to text a spreadsheet would treat as a formula.

    >>> neutralise_formulas("=HYPERLINK(\\"http://x\\")"), neutralise_formulas("-3.5"), neutralise_formulas("ok")
    ('\\'=HYPERLINK("http://x")', '-3.5', 'ok')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMERIC.match(value.strip()):
        return "'" + value
    return value


def safe_filename(name: str, *, max_len: int = 80) -> str:
    """A file-name-safe version of ``name`` (keeps CJK, letters, digits, ``-_.``).

    >>> safe_filename("../市财政局 / A:B"), safe_filename("..")
    ('市财政局_A_B', '_')
    """
    out = re.sub(r"[^\w\-.]+", "_", str(name), flags=re.UNICODE).strip("._")
    return (out or "_")[:max_len]


def _cell_frame(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype).startswith(("string", "str")):
            df[c] = df[c].map(lambda v: neutralise_formulas(", ".join(map(str, v)) if isinstance(v, tuple) else v))
    return df


def write_xlsx(path: str | Path, sheets: Mapping[str, pd.DataFrame], *, lang: str | None = None,
               notes: Mapping[str, str] | None = None) -> Path:
    """Write ``sheets`` to one workbook atomically, with bilingual headers (``lang=None``)
    or one language, a caption row per sheet from ``notes``, and formulas neutralised."""
    path = Path(path)
    prepared = {}
    for name, df in sheets.items():  # all conversion before the writer opens (its errors stay visible)
        df = _cell_frame(df.reset_index() if df.index.name or isinstance(df.index, pd.MultiIndex) else df)
        df.columns = column_labels(df.columns, lang)
        prepared[name] = df
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, df in prepared.items():
                start = 0
                if notes and name in notes:
                    pd.DataFrame([[neutralise_formulas(notes[name])]]).to_excel(
                        xw, sheet_name=name[:31], index=False, header=False)
                    start = 2
                df.to_excel(xw, sheet_name=name[:31], index=False, startrow=start)
                ws = xw.sheets[name[:31]]
                for i, col in enumerate(df.columns, start=1):
                    width = min(40, max(8, len(str(col)) + 2))
                    ws.column_dimensions[ws.cell(row=start + 1, column=i).column_letter].width = width
                ws.freeze_panes = ws.cell(row=start + 2, column=1)
    return path


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: ", ".join(map(str, v)) if isinstance(v, tuple) else v)
            if df[c].map(lambda v: isinstance(v, (str, type(None))) or (isinstance(v, float) and np.isnan(v))).all():
                df[c] = df[c].astype("string")
            else:
                df[c] = df[c].astype(str)
    return df


def write_parquet(path: str | Path, df: pd.DataFrame) -> Path:
    with atomic_path(path) as tmp:
        _parquet_safe(df).to_parquet(tmp)
    return Path(path)


def write_json(path: str | Path, obj: Any) -> Path:
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return Path(path)


def evaluation_sheets(ev, lang: str | None = None) -> dict[str, pd.DataFrame]:
    """The stages of an evaluation as named tables (for XLSX/Parquet)."""
    sheets: dict[str, pd.DataFrame] = {"results": ev.results}
    sheets["raw"] = ev.raw
    sheets["treated"] = ev.treated
    sheets["scores"] = ev.scores
    sheets["nodes"] = ev.nodes
    if ev.points is not None:
        sheets["points"] = ev.points
        sheets["max_points"] = ev.max_points
    if len(ev.targets_detail):
        sheets["targets"] = ev.targets_detail
    if ev.survey is not None and len(ev.survey):
        sv = ev.survey.copy()
        small = sv["suppressed"]
        sv.loc[small, ["mean", "ci_low", "ci_high"]] = np.nan
        sheets["survey"] = sv
    if ev.units:
        sheets["explain"] = ev.explanations
    w = []
    for node, res in ev.weights.items():
        series = res if isinstance(res, pd.Series) else pd.Series(np.asarray(res.weights), index=list(res.names or []))
        for k, v in series.items():
            w.append({"node": node, "id": k, "weight": float(v),
                      "method": "scheme" if isinstance(res, pd.Series) else res.method})
    sheets["weights"] = pd.DataFrame(w)
    sheets["recipe"] = pd.DataFrame([{"stage": s.stage, "step": s.target, "method": s.method,
                                      "params": json.dumps(s.params, ensure_ascii=False, default=str)}
                                     for s in ev.recipe])
    sheets["validation"] = ev.validation.to_frame()
    return sheets


def write_evaluation(ev, out: str | Path, *, manifest_extra: Mapping[str, Any] | None = None,
                     progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Write results.xlsx, one Parquet file per stage, scheme.yaml and manifest.json.

    Everything is first written into a temporary folder next to ``out`` and moved into
    place only when all files are complete, so a failure leaves ``out`` as it was.
    """

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheets = evaluation_sheets(ev)
    notes = {name: f"{t(f'stage.{name}', 'zh')} {t(f'stage.{name}', 'en')}" for name in sheets
             if f"stage.{name}" in catalogue()}
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as tmpdir:
        stage = Path(tmpdir)
        rel: dict[str, Path] = {"xlsx": write_xlsx(stage / "results.xlsx", sheets, notes=notes).relative_to(stage)}
        for name, df in sheets.items():
            path = write_parquet(stage / "parquet" / f"{name}.parquet", df.reset_index() if df.index.name else df)
            rel[f"parquet:{name}"] = path.relative_to(stage)
            if progress:
                progress(name)
        (stage / "scheme.yaml").write_text(ev.scheme.to_yaml(), encoding="utf-8")
        rel["scheme"] = Path("scheme.yaml")
        manifest = build_manifest(ev, outputs={k: str(v) for k, v in rel.items()}, extra=manifest_extra)
        write_json(stage / "manifest.json", manifest)
        rel["manifest"] = Path("manifest.json")
        out.mkdir(parents=True, exist_ok=True)
        for r in rel.values():
            (out / r).parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / r, out / r)
    return {k: out / v for k, v in rel.items()}
