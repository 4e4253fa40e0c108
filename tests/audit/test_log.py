"""The hash-chained audit log: append-only, every tampering (edit, delete, reorder, truncate,
rewrite) detected and named, not-a-log files refused untouched, concurrent and interrupted
writes leave a valid log."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfkit import audit
from perfkit.audit.log import GENESIS, entry_hash

from .conftest import ROOT


def _filled(log, n: int = 6) -> None:
    for i in range(n):
        log.append("appeal", round="2025", who=f"clerk {i}", unit_id=f"u{i}", indicator_id="hotline",
                   old_value="90", new_value=str(91 + i), reason="r")


def _tamper(path: Path, *sql: str) -> None:
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER IF EXISTS entries_no_update")
    con.execute("DROP TRIGGER IF EXISTS entries_no_delete")
    for s in sql:
        con.execute(s)
    con.commit()
    con.close()


def _problems(path: Path, receipt=None) -> list[tuple]:
    with audit.open_log(path) as lg:
        v = lg.verify(receipt)
    return [(p.seq, p.code) for p in v.problems if p.severity == "error"]


def test_each_entry_hash_covers_the_previous_one(log):
    _filled(log, 3)
    entries = log.entries()
    assert entries[0].prev_hash == GENESIS and entries[0].kind == "publish"
    for a, b in zip(entries, entries[1:]):
        assert b.prev_hash == a.hash
    fields = {k: getattr(entries[2], k) for k in ("ts", "round", "kind", "who", "unit_id", "indicator_id",
                                                   "old_value", "new_value", "reason", "decision", "decided_by", "ref")}
    fields["payload"] = json.dumps(dict(entries[2].payload), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert entry_hash(entries[2].prev_hash, fields) == entries[2].hash
    raw = json.dumps([entries[2].prev_hash, *fields.values()], ensure_ascii=False, sort_keys=True,
                     separators=(",", ":"), default=str)
    assert hashlib.sha256(raw.encode()).hexdigest() == entries[2].hash
    assert log.verify().ok and log.head() == (4, entries[-1].hash)


def test_update_and_delete_are_refused_by_the_log_itself(log_path):
    con = sqlite3.connect(log_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE entries SET who = 'x' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM entries")
    con.close()


def test_an_edited_entry_is_named(log, log_path):
    _filled(log)
    log.close()
    _tamper(log_path, "UPDATE entries SET new_value = '99' WHERE seq = 4")
    assert _problems(log_path) == [(4, "edited")]


def test_an_edited_payload_is_named(log_path):
    _tamper(log_path, "UPDATE entries SET payload = replace(payload, '\"perfkit\"', '\"perfkit \"') WHERE seq = 1")
    assert _problems(log_path) == [(1, "edited")]


def test_a_deleted_entry_is_named(log, log_path):
    _filled(log)
    log.close()
    _tamper(log_path, "DELETE FROM entries WHERE seq = 3")
    assert _problems(log_path) == [(3, "deleted")]
    _tamper(log_path, "DELETE FROM entries WHERE seq IN (5, 6)")
    assert _problems(log_path) == [(3, "deleted"), (5, "deleted")]


def test_the_first_entry_deleted_is_named(log, log_path):
    _filled(log, 2)
    log.close()
    _tamper(log_path, "DELETE FROM entries WHERE seq = 1")
    assert _problems(log_path) == [(1, "deleted")]


def test_reordered_entries_are_named(log, log_path):
    _filled(log)
    log.close()
    _tamper(log_path, "UPDATE entries SET seq = 100 WHERE seq = 3", "UPDATE entries SET seq = 3 WHERE seq = 4",
            "UPDATE entries SET seq = 4 WHERE seq = 100")
    got = _problems(log_path)
    assert (3, "reordered") in got and (4, "reordered") in got
    assert all(code == "reordered" for _, code in got)


def test_a_truncated_log_is_named(log, log_path):
    _filled(log)
    log.close()
    _tamper(log_path, "DELETE FROM entries WHERE seq >= 5")
    assert _problems(log_path) == [(5, "truncated")]
    with audit.open_log(log_path) as lg:
        assert "entries 5–7 were cut off the end" in str(lg.verify())


def test_a_rewritten_tail_is_caught_by_the_receipt(log, log_path):
    """Rewriting the last entries and recomputing every hash and the head passes the chain
    check; the receipt kept from before catches it."""
    _filled(log)
    receipt = f"{log.head()[0]}:{log.head()[1]}"
    log.close()
    con = sqlite3.connect(log_path)
    con.execute("DROP TRIGGER IF EXISTS entries_no_update")
    rows = con.execute("SELECT seq, ts, round, kind, who, unit_id, indicator_id, old_value, new_value, reason, "
                       "decision, decided_by, ref, payload, prev_hash FROM entries ORDER BY seq").fetchall()
    keys = ("ts", "round", "kind", "who", "unit_id", "indicator_id", "old_value", "new_value", "reason", "decision",
            "decided_by", "ref", "payload")
    prev = rows[4][-1]
    for r in rows[4:]:
        fields = dict(zip(keys, r[1:-1]))
        if r[0] == 5:
            fields["new_value"] = "100"
        h = entry_hash(prev, fields)
        con.execute("UPDATE entries SET new_value = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                    (fields["new_value"], prev, h, r[0]))
        prev = h
    con.execute("UPDATE meta SET value = ? WHERE key = 'head'", (f"{rows[-1][0]}:{prev}",))
    con.commit()
    con.close()
    assert _problems(log_path) == []
    assert _problems(log_path, receipt) == [(7, "anchor")]


def test_cli_verify_names_the_entry_and_exits_2(log, log_path):
    _filled(log)
    log.close()
    _tamper(log_path, "UPDATE entries SET who = 'someone else' WHERE seq = 2")
    proc = subprocess.run([sys.executable, "-m", "perfkit", "audit", "verify", str(log_path)], capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode == 2
    assert "error: entry 2: was changed after it was written" in proc.stdout
    assert "warning: the append-only guards were removed" in proc.stdout and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------- not a perfkit log
@pytest.mark.parametrize("content", [b"round,unit\n2025,a\n", b"", b"SQLite format 3\x00" + b"\x00" * 50])
def test_a_file_that_is_not_a_log_is_refused_untouched(tmp_path, content):
    path = tmp_path / "log.sqlite"
    path.write_bytes(content)
    with pytest.raises(audit.AuditError, match="not a perfkit audit log"):
        audit.open_log(path)
    with pytest.raises(audit.AuditError, match="not a perfkit audit log"):
        audit.open_log(path, create=True)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.sqlite"]


def test_an_sqlite_database_of_something_else_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (a)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(audit.AuditError, match="not a perfkit audit log"):
        audit.open_log(path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]
    proc = subprocess.run([sys.executable, "-m", "perfkit", "appeal", "list", str(path)], capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "not a perfkit audit log" in proc.stderr


def test_a_missing_log_is_not_created_by_reading(tmp_path):
    with pytest.raises(audit.AuditError, match="no audit log here"):
        audit.open_log(tmp_path / "none.sqlite")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------- writes
def test_a_refused_or_failing_write_leaves_the_log_as_it_was(log):
    before = (log.head(), len(log.entries()))

    def refuse(_):
        raise audit.AuditError("no")

    with pytest.raises(audit.AuditError):
        log.append("appeal", round="2025", who="x", check=refuse)

    class Boom(Exception):
        pass

    def boom(lg):
        lg._con.execute("INSERT INTO entries (seq, ts, round, kind, who, payload, prev_hash, hash) VALUES "
                        "(999, 't', 'r', 'appeal', 'w', '{}', 'p', 'h')")  # half a write, then a crash
        raise Boom()

    with pytest.raises(Boom):
        log.append("appeal", round="2025", who="x", check=boom)
    assert (log.head(), len(log.entries())) == before and log.verify().ok


_WRITER = """
import sys
from perfkit import audit
with audit.open_log(sys.argv[1]) as log:
    for i in range(int(sys.argv[3])):
        log.append("submission", round="2025", who=sys.argv[2], payload={"i": i, "pad": "x" * 2000})
"""


def test_a_write_killed_mid_way_leaves_a_valid_log(log_path):
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(log_path), "killed", "100000"],
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    deadline = time.time() + 60
    with audit.open_log(log_path) as lg:
        while lg.head()[0] < 30 and time.time() < deadline:
            time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # at whatever point of a transaction it is
    proc.wait()
    with audit.open_log(log_path) as lg:
        v = lg.verify()
        assert v.ok, str(v)
        seqs = [e.seq for e in lg.entries()]
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) > 30
        assert [e.payload["i"] for e in lg.entries(kind="submission")] == list(range(len(seqs) - 1))


_FILER = """
import sys
from perfkit import audit
units, clerk = sys.argv[2].split(","), sys.argv[3]
with audit.open_log(sys.argv[1]) as log:
    for u in units:
        audit.file_appeal(log, round="2025", unit_id=u, indicator_id="openness", value="99",
                          reason="并发申诉测试", who=clerk)
"""


def test_two_clerks_filing_at_once_lose_nothing(log_path):
    with audit.open_log(log_path) as lg:
        units = [c[0] for c in lg.entries(kind="publish")[0].payload["cells"] if c[1] == "openness"]
    a, b = units[: len(units) // 2], units[len(units) // 2:]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    procs = [subprocess.Popen([sys.executable, "-c", _FILER, str(log_path), ",".join(part), clerk], env=env,
                              stderr=subprocess.PIPE, text=True)
             for part, clerk in ((a, "clerk A"), (b, "clerk B"))]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with audit.open_log(log_path) as lg:
        assert lg.verify().ok
        filed = audit.appeals(lg, "2025")
    assert sorted(filed["unit_id"]) == sorted(units) and len(filed) == len(units) == 48
    assert set(filed["filed_by"]) == {"clerk A", "clerk B"}
