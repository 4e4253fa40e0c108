"""Writing results: XLSX (one sheet per stage, bilingual headers), Parquet, manifest.

Every file is written to a temporary name in the target folder and renamed into place, so
a failure never leaves a half-written file. Text cells that a spreadsheet would run as a
formula (starting with ``= + - @`` or a tab/CR) are prefixed with ``'``.

A folder of outputs (``perfkit evaluate --out``, ``perfkit report --out``) is replaced as
a whole: one run at a time holds its lock (:func:`locked_output`), builds the new version
in a staging folder beside it (:class:`StagedOutput`), and commits it by writing a journal
and then renaming every staged file into place and removing the files of the previous run
that the new one no longer has. A run that is stopped before the journal is written leaves
the previous complete state; one stopped after it leaves the journal, which marks the
folder incomplete until the next run (or :func:`recover_output`) finishes the renames.
Files that perfkit did not write are never removed.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from perfkit.errors import PerfkitError
from perfkit.i18n import catalogue, column_labels, t
from perfkit.io.manifest import build_manifest

try:
    import fcntl
except ImportError:  # Windows: the lock is taken with msvcrt on a file beside the folder
    fcntl = None
    import msvcrt

__all__ = ["atomic_path", "neutralise_formulas", "safe_filename", "unique_filenames", "write_xlsx",
           "write_evaluation", "locked_output", "StagedOutput", "recover_output", "OutputError"]

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


#: names Windows reserves for devices, with any extension (``CON.html`` cannot be created there)
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, *, max_len: int = 80) -> str:
    """A file-name-safe version of ``name`` (keeps CJK, letters, digits, ``-_.``).

    Different names can give the same result (``gov/x`` and ``gov_x``; long names that
    differ only after ``max_len`` characters): name a set of files with
    :func:`unique_filenames`.

    >>> safe_filename("../市财政局 / A:B"), safe_filename(".."), safe_filename("nul")
    ('市财政局_A_B', '_', '_nul')
    """
    out = re.sub(r"[^\w\-.]+", "_", str(name), flags=re.UNICODE).strip("._")
    out = (out or "_")[:max_len]
    return f"_{out}"[:max_len] if out.split(".", 1)[0].upper() in _RESERVED else out


def _fold(name: str) -> str:
    """What a case-insensitive, normalising file system (Windows, macOS) sees of a name."""
    return unicodedata.normalize("NFC", name).casefold()


def unique_filenames(names: Mapping[str, str], *, max_len: int = 80) -> dict[str, str]:
    """Safe, distinct file names for ``{key: wanted name}``, also on file systems that
    ignore case or Unicode normalisation.

    A name that is unique after :func:`safe_filename` is kept as it is; names that would
    share a file get ``~`` and 8 hex digits of their key's SHA-256 (``~`` never survives
    :func:`safe_filename`, so a suffixed name cannot meet a plain one).

    >>> unique_filenames({"gov/x": "gov/x", "gov_x": "gov_x", "b": "b"})
    {'gov/x': 'gov_x~02cfe383', 'gov_x': 'gov_x~baee740c', 'b': 'b'}
    """
    safe = {k: safe_filename(v, max_len=max_len) for k, v in names.items()}
    groups: dict[str, list[str]] = {}
    for k, v in safe.items():
        groups.setdefault(_fold(v), []).append(k)
    out = {}
    for keys in groups.values():
        for k in keys:
            out[k] = safe[k] if len(keys) == 1 else \
                f"{safe[k][:max_len - 9]}~{hashlib.sha256(str(k).encode('utf-8')).hexdigest()[:8]}"
    seen: dict[str, str] = {}
    for k, v in out.items():
        if _fold(v) in seen:  # two keys whose hashes share 8 hex digits: never silently one file
            raise OutputError(f"{seen[_fold(v)]!r} and {k!r} would be written to the same file {v!r}",
                              hint="rename one of them")
        seen[_fold(v)] = k
    return out


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


# ---------------------------------------------------------------------- output folders
class OutputError(PerfkitError, OSError):
    """An output folder that cannot be written now: another run holds it, or it is a file."""


_STAGING_SUFFIX = ".perfkit-staging"
_JOURNAL = ".commit.json"
_OWNER = ".owner.json"


def _staging_dir(out: Path) -> Path:
    """Where the next version of ``out`` is built: beside it (same file system, so that
    renames are atomic), or inside it when ``out`` is a mount point of its own."""
    out = Path(out).absolute()
    beside = out.parent / f".{out.name}{_STAGING_SUFFIX}"
    try:
        if out.is_dir() and os.stat(out).st_dev != os.stat(out.parent).st_dev:
            return out / _STAGING_SUFFIX
    except OSError:
        pass
    return beside


@contextmanager
def locked_output(out: str | Path) -> Iterator[Path]:
    """Hold the output folder ``out`` (created if missing) for one run.

    A second run into the same folder, from this or another process, raises
    :class:`OutputError` naming the run that holds it. The lock is the operating system's
    (``flock`` on the folder itself), so a run that is killed releases it, and no lock
    file is left in the folder.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError("is a file, not a folder", where=[str(out)],
                          hint="give --out a folder (it is created if missing)")
    out.mkdir(parents=True, exist_ok=True)
    staging = _staging_dir(out)
    if fcntl is not None:
        fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        lock = (lambda: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB))
    else:  # pragma: no cover - Windows
        fd = os.open(staging.with_suffix(".lock"), os.O_RDWR | os.O_CREAT)
        lock = (lambda: msvcrt.locking(fd, msvcrt.LK_NBLCK, 1))
    try:
        try:
            lock()
        except OSError:
            raise OutputError("another perfkit run is writing this folder" + _owner_text(staging),
                              where=[str(out)], hint="wait until it has finished, or give another --out") from None
        yield out
    finally:
        os.close(fd)


def _owner_text(staging: Path) -> str:
    try:
        o = json.loads((staging / _OWNER).read_text(encoding="utf-8"))
        return f" (pid {o['pid']}, started {o['started']}: {o['command']})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _inside(rel: str) -> bool:
    p = Path(rel)
    return bool(rel) and not p.is_absolute() and ".." not in p.parts


def _prune_empty(folder: Path, top: Path) -> None:
    """Remove ``folder`` and its parents up to (not including) ``top`` while they are empty."""
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _apply_journal(out: Path, staging: Path, journal: Mapping[str, Any]) -> None:
    """Rename every staged file into place, then remove the previous run's leftovers.
    Idempotent: a file already moved is skipped, so an interrupted commit can be re-run."""
    for rel in journal.get("moves", []):
        src, dst = staging / rel, out / rel
        if not _inside(rel) or not (src.is_file() or src.is_symlink()):
            continue
        if dst.is_dir() and not dst.is_symlink():
            raise OutputError(f"{rel} is a folder, where this run writes a file", where=[str(out)],
                              hint="move that folder away and run again")
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
    for rel in journal.get("remove", []):
        path = out / rel
        if _inside(rel) and (path.is_file() or path.is_symlink()):
            path.unlink()
            _prune_empty(path.parent, out)


def recover_output(out: str | Path) -> str | None:
    """Finish or discard what an interrupted run left (call it holding :func:`locked_output`).

    Returns ``"completed"`` when a commit was under way (its journal exists: the renames
    are finished now), ``"discarded"`` when an uncommitted staging folder was removed
    (``out`` is the previous complete state), else ``None``.
    """
    out = Path(out)
    staging = _staging_dir(out)
    if not staging.exists():
        return None
    done = "discarded"
    journal = staging / _JOURNAL
    if journal.is_file():
        try:
            record = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:  # a journal is written atomically: unreadable means not perfkit's
            record = None
        if isinstance(record, dict):
            _apply_journal(out, staging, record)
            done = "completed"
    shutil.rmtree(staging, ignore_errors=True)
    return done


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C / SIGTERM until the block is done (the commit's renames), then act on them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    sigs = [signal.SIGINT] + ([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])
    old = {s: signal.signal(s, lambda n, f: caught.append(n)) for s in sigs}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        for n in caught:
            handler = old[n]
            if callable(handler):
                handler(n, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(n)


class StagedOutput:
    """The next version of an output folder, built in a staging folder and committed whole.

    Write the new files under :attr:`root` (same relative paths as in ``out``), then
    :meth:`commit`; :meth:`discard` (or never committing) leaves ``out`` untouched. Use it
    holding :func:`locked_output`; what an interrupted run left is recovered first.
    :attr:`committed` says whether the commit is done (a Ctrl-C during the commit is
    held until it is).
    """

    def __init__(self, out: str | Path, *, command: str | None = None):
        self.out = Path(out)
        self.root = _staging_dir(self.out)
        self.committed = False
        recover_output(self.out)
        self.root.mkdir(parents=True)
        try:
            write_json(self.root / _OWNER, {
                "pid": os.getpid(), "command": command or " ".join(sys.argv),
                "started": _dt.datetime.now().astimezone().isoformat(timespec="seconds")})
        except BaseException:
            self.discard()
            raise

    def files(self) -> list[str]:
        """Relative paths of the staged files (not the staging folder's own records)."""
        out = []
        for p in self.root.rglob("*"):
            rel = p.relative_to(self.root)
            if (p.is_file() or p.is_symlink()) and rel.as_posix() not in (_JOURNAL, _OWNER) \
                    and not any(part.endswith(_STAGING_SUFFIX) for part in rel.parts):
                out.append(rel.as_posix())
        return sorted(out)

    def commit(self, *, remove: Iterable[str] = (), last: Iterable[str] = ()) -> list[str]:
        """Move every staged file into ``out`` (``last`` ones at the end, in that order) and
        remove the files named in ``remove`` (relative to ``out``) that this run did not
        write. Returns the files moved."""
        files = self.files()
        last = [f for f in last if f in files]
        moves = [f for f in files if f not in last] + last
        journal = {"moves": moves, "remove": sorted(set(remove) - set(files))}
        with _signals_deferred():
            write_json(self.root / _JOURNAL, journal)  # the commit point
            _apply_journal(self.out, self.root, journal)
            shutil.rmtree(self.root, ignore_errors=True)
            self.committed = True  # before a Ctrl-C held meanwhile is raised
        return moves

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _previous_outputs(out: Path) -> list[str]:
    """The files a previous :func:`write_evaluation` listed in ``out/manifest.json``."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    outputs = manifest.get("outputs") if isinstance(manifest, dict) else None
    if not isinstance(outputs, dict):
        return []
    return [Path(v).as_posix() for v in outputs.values() if isinstance(v, str) and _inside(v)]


def write_evaluation(ev, out: str | Path, *, manifest_extra: Mapping[str, Any] | None = None,
                     progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Write results.xlsx, one Parquet file per stage, scheme.yaml and manifest.json.

    The folder's perfkit outputs are replaced whole: the new files are written into a
    staging folder and moved into place only when all are complete, and the files an
    earlier run listed in its manifest that this run does not write are removed (other
    files in ``out`` are left alone). A failure or an interrupt leaves ``out`` as it was;
    a second run into the same folder at the same time is refused (:func:`locked_output`).
    """
    out = Path(out)
    sheets = evaluation_sheets(ev)
    notes = {name: f"{t(f'stage.{name}', 'zh')} {t(f'stage.{name}', 'en')}" for name in sheets
             if f"stage.{name}" in catalogue()}
    with locked_output(out):
        staged = StagedOutput(out)
        try:
            stage = staged.root
            rel: dict[str, Path] = {"xlsx": write_xlsx(stage / "results.xlsx", sheets, notes=notes).relative_to(stage)}
            for name, df in sheets.items():
                path = write_parquet(stage / "parquet" / f"{name}.parquet", df.reset_index() if df.index.name else df)
                rel[f"parquet:{name}"] = path.relative_to(stage)
                if progress:
                    progress(name)
            (stage / "scheme.yaml").write_text(ev.scheme.to_yaml(), encoding="utf-8")
            rel["scheme"] = Path("scheme.yaml")
            rel["manifest"] = Path("manifest.json")  # the manifest lists itself: all of the folder's outputs
            manifest = build_manifest(ev, outputs={k: v.as_posix() for k, v in rel.items()}, extra=manifest_extra)
            write_json(stage / "manifest.json", manifest)
            staged.commit(remove=_previous_outputs(out), last=["manifest.json"])
        except BaseException:
            staged.discard()
            raise
    return {k: out / v for k, v in rel.items()}
