"""Returned files as versioned submissions in the office's log (every figure traceable to a
cell someone returned).

:func:`record_submission` keeps a copy of a returned file beside the log
(``<log>.files/<round>/<collector>/v<n>_<sha8>_<name>``) and appends a ``submission``
entry: collector, version (1 for the first return, 2 for the first resubmission ...), file
name and SHA-256, when it was submitted, the deadline, the figures read and the errors and
warnings found. :func:`submissions` gives them back in the form of the Demo City's
``collection/records.csv``, for :func:`perfkit.collection.collector_performance`.
"""
from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from perfkit.audit.log import AuditError, AuditLog, Entry
from perfkit.collection.ingest import ReturnedFile
from perfkit.io.export import safe_filename
from perfkit.io.round import file_sha256

__all__ = ["record_submission", "submissions", "store_folder"]


def store_folder(log: AuditLog) -> Path:
    """Where the log keeps the returned files: ``<log file>.files/``."""
    return log.path.with_name(log.path.name + ".files")


def record_submission(log: AuditLog, returned: ReturnedFile, *, who: str, submitted_at: str | None = None,
                      note: str = "") -> Entry | None:
    """Record one returned file as the next version of its collector's submission.

    Returns the entry, or ``None`` when the file is identical to the collector's latest
    version (nothing is recorded twice).
    """
    src = Path(returned.file)
    if not returned.collector_id:
        raise AuditError("whose file is this? the collector is not known", where=[str(src)],
                         hint="name the collector (--collector ID)")
    sha = file_sha256(src)
    rnd, cid = returned.round, returned.collector_id
    when = submitted_at or _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")  # local time, as deadlines are
    try:
        pd.Timestamp(when)
    except (ValueError, TypeError):
        raise AuditError(f"submitted_at {when!r} is not a date and time", hint="e.g. 2026-01-18 16:52") from None
    folder = store_folder(log) / safe_filename(rnd) / safe_filename(cid)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".incoming.", dir=folder)
    os.close(fd)
    shutil.copyfile(src, tmp)
    name = safe_filename(src.stem) + src.suffix.lower()
    payload = {"collector_id": cid, "file": src.name, "sha256": sha, "kind": returned.kind, "rows": returned.rows,
               "errors": returned.errors, "warnings": returned.warnings, "deadline": returned.deadline,
               "submitted_at": str(pd.Timestamp(when)), "indicators": list(returned.indicators), "note": note}

    def check(lg: AuditLog) -> None:
        # the version is known only under the write lock; the copy is renamed into place after the entry
        mine = [e for e in lg.entries(rnd, "submission") if e.payload.get("collector_id") == cid]
        if mine and mine[-1].payload.get("sha256") == sha:
            raise _Same()
        payload["version"] = len(mine) + 1
        payload["stored"] = os.path.relpath(folder / f"v{len(mine) + 1}_{sha[:8]}_{name}",
                                            log.path.parent).replace(os.sep, "/")

    try:
        entry = log.append("submission", round=rnd, who=who, reason=note or None, payload=payload, check=check)
        os.replace(tmp, log.path.parent / entry.payload["stored"])
        return entry
    except _Same:
        return None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class _Same(Exception):
    """The file is the collector's latest version already."""


def submissions(log: AuditLog, round: str | None = None) -> pd.DataFrame:  # noqa: A002
    """The recorded submissions as ``round, collector_id, version, file, indicators, rows,
    submitted_at, deadline, note, sha256, errors, warnings, entry, received_by``."""
    rows = []
    for e in log.entries(None if round is None else str(round), "submission"):
        p = e.payload
        rows.append({"round": e.round, "collector_id": p.get("collector_id"), "version": p.get("version"),
                     "file": p.get("stored") or p.get("file"), "indicators": ";".join(p.get("indicators") or []),
                     "rows": p.get("rows"), "submitted_at": p.get("submitted_at"), "deadline": p.get("deadline") or None,
                     "note": p.get("note") or "", "sha256": p.get("sha256"), "errors": p.get("errors"),
                     "warnings": p.get("warnings"), "entry": e.seq, "received_by": e.who})
    return pd.DataFrame(rows, columns=["round", "collector_id", "version", "file", "indicators", "rows", "submitted_at",
                                       "deadline", "note", "sha256", "errors", "warnings", "entry", "received_by"])
