"""The office's audit log: an append-only, hash-chained record in one SQLite file.

Every entry records who, when, the round, what kind of event (``submission``, ``publish``,
``appeal``, ``decision``, ``final``), the unit and indicator, the old and the new value,
the reason, the decision and who decided, and a JSON payload. Its hash is the SHA-256 of
the previous entry's hash and its own content, so changing, deleting or reordering any
entry breaks the chain from there on, and :meth:`AuditLog.verify` names the entry. The
head (the last entry's number and hash) is kept in the file too, so cutting entries off
the end is found; :meth:`AuditLog.head` gives a receipt (``seq:hash``) to keep elsewhere,
against which :meth:`AuditLog.verify` also checks — a log rewritten from some entry onwards
with every hash recomputed can only be caught that way.

Storage: the standard library's :mod:`sqlite3` in WAL mode with ``synchronous=FULL``; every
append is one ``BEGIN IMMEDIATE`` transaction (the previous hash is read under the write
lock, so two clerks writing at once are serialised and lose nothing; a write interrupted
at any point is rolled back, leaving the log as it was). Triggers refuse ``UPDATE`` and
``DELETE`` on the entries. A file that is not a perfkit log is never written to.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from perfkit.errors import PerfkitError

__all__ = ["AuditError", "AuditLog", "Entry", "ChainProblem", "Verification", "open_log", "FORMAT", "GENESIS",
           "KINDS", "entry_hash"]

FORMAT = "perfkit-audit-log"
VERSION = "1"
GENESIS = "0" * 64
KINDS = ("submission", "publish", "appeal", "decision", "final")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_FIELDS = ("ts", "round", "kind", "who", "unit_id", "indicator_id", "old_value", "new_value", "reason", "decision",
           "decided_by", "ref", "payload")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
    seq INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    round TEXT NOT NULL,
    kind TEXT NOT NULL,
    who TEXT NOT NULL,
    unit_id TEXT,
    indicator_id TEXT,
    old_value TEXT,
    new_value TEXT,
    reason TEXT,
    decision TEXT,
    decided_by TEXT,
    ref INTEGER,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX entries_round ON entries(round, kind);
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'the perfkit audit log is append-only'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
    BEGIN SELECT RAISE(ABORT, 'the perfkit audit log is append-only'); END;
CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta
    BEGIN SELECT RAISE(ABORT, 'the perfkit audit log is append-only'); END;
"""
_TRIGGERS = ("entries_no_update", "entries_no_delete", "meta_no_delete")


class AuditError(PerfkitError, ValueError):
    """A problem with the audit log or with what was asked of it; ``where`` names the log
    file (and the entry)."""


def _canon(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """The hash of an entry: SHA-256 of the previous hash and the entry's fields (as stored).

    >>> entry_hash(GENESIS, {k: None for k in _FIELDS})[:16]
    '367398ed14090fcc'
    """
    data = [prev_hash, *(fields.get(k) for k in _FIELDS)]
    return hashlib.sha256(_canon(data).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One entry of the log (see the module docstring for the fields)."""

    seq: int
    ts: str
    round: str
    kind: str
    who: str
    unit_id: str | None = None
    indicator_id: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    reason: str | None = None
    decision: str | None = None
    decided_by: str | None = None
    ref: int | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("seq", *_FIELDS[:-1], "prev_hash", "hash")}


@dataclass(frozen=True)
class ChainProblem:
    """A break in the chain: ``code`` is ``edited``, ``deleted``, ``reordered``,
    ``truncated``, ``replaced``, ``anchor`` or ``unprotected`` (the append-only triggers
    were removed: a warning, the entries may still be intact)."""

    seq: int | None
    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"entry {self.seq}: " if self.seq is not None else ""
        return f"{self.severity}: {where}{self.message}"


@dataclass(frozen=True)
class Verification:
    """The result of :meth:`AuditLog.verify`."""

    path: str
    entries: int
    head: tuple[int, str]
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        state = "intact" if self.ok else "BROKEN"
        lines.append(f"{Path(self.path).name}: {self.entries} entries, chain {state}, head {self.head[0]}:"
                     f"{self.head[1]}")
        return "\n".join(lines)


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


class AuditLog:
    """An open audit log (use :func:`open_log`). Close it with :meth:`close` or a ``with``."""

    #: The clock used for new entries (tests and replays may replace it on an instance).
    clock: Callable[[], str] = staticmethod(_now)

    def __init__(self, path: Path, con: sqlite3.Connection) -> None:
        self.path = path
        self._con = con

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, office: str = "") -> AuditLog:
        path = Path(path)
        if not path.exists():
            if not create:
                raise AuditError("no audit log here", where=[str(path)],
                                 hint="publish the round first (perfkit audit publish), or check the path")
            _create(path, office)
        _check_file(path)
        try:
            con = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=rw", uri=True, timeout=60,
                                  isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA busy_timeout = 60000")
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise AuditError(f"not a perfkit audit log ({exc})", where=[str(path)],
                             hint="give the office's audit log (.sqlite), created by perfkit audit publish") from None
        if meta.get("format") != FORMAT:
            con.close()
            raise AuditError("an SQLite database, but not a perfkit audit log", where=[str(path)],
                             hint="give the office's audit log, created by perfkit audit publish")
        if meta.get("version") != VERSION:
            con.close()
            raise AuditError(f"an audit log of format version {meta.get('version')!r}; this perfkit reads {VERSION}",
                             where=[str(path)])
        con.execute("PRAGMA synchronous = FULL")
        return cls(path, con)

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def meta(self) -> dict[str, str]:
        return dict(self._con.execute("SELECT key, value FROM meta").fetchall())

    # ------------------------------------------------------------------ reading
    def _rows(self, where: str = "", args: tuple = ()) -> list[sqlite3.Row]:
        cur = self._con.execute(f"SELECT seq, {', '.join(_FIELDS)}, prev_hash, hash FROM entries {where} ORDER BY seq",
                                args)
        return cur.fetchall()

    @staticmethod
    def _entry(row: tuple) -> Entry:
        seq, *vals, prev, h = row
        d = dict(zip(_FIELDS, vals))
        try:
            payload = json.loads(d.pop("payload") or "{}")
        except json.JSONDecodeError:
            payload = {"_unreadable": True}
        return Entry(seq=seq, payload=payload, prev_hash=prev, hash=h, **d)

    def entries(self, round: str | None = None, kind: str | None = None) -> list[Entry]:  # noqa: A002
        """Entries in order, optionally of one round and kind."""
        conds, args = [], []
        if round is not None:
            conds.append("round = ?")
            args.append(str(round))
        if kind is not None:
            conds.append("kind = ?")
            args.append(kind)
        where = ("WHERE " + " AND ".join(conds)) if conds else ""
        return [self._entry(r) for r in self._rows(where, tuple(args))]

    def entry(self, seq: int) -> Entry:
        rows = self._rows("WHERE seq = ?", (int(seq),))
        if not rows:
            raise AuditError(f"no entry {seq}", where=[str(self.path)], hint="list the entries with perfkit audit log")
        return self._entry(rows[0])

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the last entry (``(0, GENESIS)`` for an empty log)."""
        row = self._con.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        return (int(row[0]), row[1]) if row else (0, GENESIS)

    def to_frame(self, round: str | None = None) -> pd.DataFrame:  # noqa: A002
        return pd.DataFrame([e.to_dict() for e in self.entries(round)],
                            columns=["seq", *_FIELDS[:-1], "prev_hash", "hash"])

    # ------------------------------------------------------------------ writing
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise AuditError(f"the log is busy or read-only ({exc})", where=[str(self.path)],
                             hint="try again; check that the folder is writable") from None
        try:
            yield self._con
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        else:
            self._con.execute("COMMIT")

    def append(self, kind: str, *, round: str, who: str, unit_id: str | None = None,  # noqa: A002
               indicator_id: str | None = None, old_value: Any = None, new_value: Any = None,
               reason: str | None = None, decision: str | None = None, decided_by: str | None = None,
               ref: int | None = None, payload: Mapping[str, Any] | None = None,
               check: Callable[[AuditLog], None] | None = None) -> Entry:
        """Append one entry in one transaction.

        ``check`` runs inside the transaction, under the write lock, before the entry is
        written (it sees every entry written before, by anyone); it may raise to refuse the
        entry, or complete ``payload`` with what only the current state tells (a version).
        """
        if kind not in KINDS:
            raise AuditError(f"unknown entry kind {kind!r}", hint=f"kinds: {', '.join(KINDS)}")
        if not str(who or "").strip():
            raise AuditError("who is writing this entry?", hint="give your name (--by NAME)")
        text = (lambda v: None if v is None else str(v))
        fields = {"ts": self.clock(), "round": str(round), "kind": kind, "who": str(who).strip(),
                  "unit_id": text(unit_id), "indicator_id": text(indicator_id), "old_value": text(old_value),
                  "new_value": text(new_value), "reason": text(reason), "decision": text(decision),
                  "decided_by": text(decided_by), "ref": None if ref is None else int(ref), "payload": None}
        with self._write() as con:
            if check is not None:
                check(self)
            fields["payload"] = _canon(dict(payload or {}))  # after the check, which may complete it
            seq, prev = self.head()
            h = entry_hash(prev, fields)
            con.execute(f"INSERT INTO entries (seq, {', '.join(_FIELDS)}, prev_hash, hash) VALUES "
                        f"({', '.join('?' * (len(_FIELDS) + 3))})", (seq + 1, *fields.values(), prev, h))
            con.execute("UPDATE meta SET value = ? WHERE key = 'head'", (f"{seq + 1}:{h}",))
        return self.entry(seq + 1)

    # ------------------------------------------------------------------ verifying
    def verify(self, anchor: str | tuple[int, str] | None = None) -> Verification:
        """Check the whole chain (and an ``anchor`` receipt ``seq:hash``, if given); name
        every entry that was edited, deleted, reordered or cut off."""
        try:
            rows = self._rows()
            meta = self.meta
            triggers = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        except sqlite3.DatabaseError as exc:
            raise AuditError(f"the log cannot be read ({exc})", where=[str(self.path)]) from None
        problems: list[ChainProblem] = []
        by_hash = {r[-1]: r[0] for r in rows}
        prev_seq, prev_hash = 0, GENESIS
        for r in rows:
            seq, vals, stored_prev, stored = r[0], dict(zip(_FIELDS, r[1:-2])), r[-2], r[-1]
            if entry_hash(stored_prev, vals) != stored:
                problems.append(ChainProblem(seq, "edited", "was changed after it was written: its content no "
                                             "longer matches its hash"))
            if seq > prev_seq + 1:
                problems.append(ChainProblem(prev_seq + 1, "deleted", "is missing (deleted)" if seq == prev_seq + 2
                                             else f"is missing, and so are the entries up to {seq - 1} (deleted)"))
            elif stored_prev != prev_hash:
                writer = by_hash.get(stored_prev)
                if writer is not None and writer != prev_seq:
                    problems.append(ChainProblem(seq, "reordered", f"is out of order: it was written after entry "
                                                 f"{writer}, but now follows entry {prev_seq or '(none)'}"))
                elif prev_seq == 0:
                    problems.append(ChainProblem(seq, "deleted", "the entries before it were deleted (the chain does "
                                                 "not start at the beginning)"))
                else:
                    problems.append(ChainProblem(seq, "replaced", f"does not follow entry {prev_seq}: entry "
                                                 f"{prev_seq} was replaced, or entries between them were deleted"))
            prev_seq, prev_hash = seq, stored
        head_text = meta.get("head", "0:" + GENESIS)
        try:
            head_seq, head_hash = int(head_text.split(":")[0]), head_text.split(":")[1]
        except (ValueError, IndexError):
            head_seq, head_hash = -1, ""
            problems.append(ChainProblem(None, "edited", "the log's head record was changed"))
        if head_seq > prev_seq:
            gap = f"{prev_seq + 1}" if head_seq == prev_seq + 1 else f"{prev_seq + 1}–{head_seq}"
            problems.append(ChainProblem(prev_seq + 1, "truncated", f"the log ends at entry {prev_seq}, but it had "
                                         f"{head_seq}: entr{'y' if head_seq == prev_seq + 1 else 'ies'} {gap} "
                                         "were cut off the end"))
        elif head_seq == prev_seq and head_hash != prev_hash and head_seq > 0:
            problems.append(ChainProblem(prev_seq, "replaced", "the last entry is not the one the log's head "
                                         "records: it was replaced"))
        elif head_seq >= 0 and head_seq < prev_seq:
            problems.append(ChainProblem(head_seq + 1, "edited", f"entries after {head_seq} were added behind the "
                                         "log's back (its head was not moved)"))
        if anchor is not None:
            a_seq, a_hash = _parse_anchor(anchor, self.path)
            have = next((r[-1] for r in rows if r[0] == a_seq), None)
            if have is None:
                problems.append(ChainProblem(a_seq, "anchor", f"the receipt names entry {a_seq}, which the log no "
                                             "longer has"))
            elif not have.startswith(a_hash):
                problems.append(ChainProblem(a_seq, "anchor", f"is not the entry of the receipt (hash {a_hash[:12]}…): "
                                             "the log was rewritten from here on"))
        missing = [t for t in _TRIGGERS if t not in triggers]
        if missing:
            problems.append(ChainProblem(None, "unprotected", f"the append-only guards were removed "
                                         f"({', '.join(missing)})", "warning"))
        problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
        return Verification(str(self.path), len(rows), (prev_seq, prev_hash), tuple(problems))


def _parse_anchor(anchor: str | tuple[int, str], path: Path) -> tuple[int, str]:
    if isinstance(anchor, tuple):
        return int(anchor[0]), str(anchor[1])
    try:
        seq, h = str(anchor).split(":", 1)
        return int(seq), h.strip().lower()
    except ValueError:
        raise AuditError(f"receipt {anchor!r} is not SEQ:HASH", where=[str(path)],
                         hint="use the line perfkit audit head printed, e.g. 12:3fa4…") from None


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise AuditError("this is a folder, not an audit log", where=[str(path)])
    with open(path, "rb") as fh:
        magic = fh.read(len(_SQLITE_MAGIC))
    if magic != _SQLITE_MAGIC:
        raise AuditError("not a perfkit audit log (not an SQLite database)", where=[str(path)],
                         hint="give the office's audit log (.sqlite), created by perfkit audit publish")


def _create(path: Path, office: str) -> None:
    """Create a new, empty log atomically (built under a temporary name, then linked into
    place; if another process created it meanwhile, theirs is kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode = WAL")
            con.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
            now = _now()
            con.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                            [("format", FORMAT), ("version", VERSION), ("office", office or ""), ("created", now),
                             ("head", f"0:{GENESIS}")])
        finally:
            con.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(tmp + suffix):
                os.unlink(tmp + suffix)


def open_log(path: str | Path, *, create: bool = False, office: str = "") -> AuditLog:
    """Open the office's audit log (``create=True``: create it if it does not exist)."""
    return AuditLog.open(path, create=create, office=office)
