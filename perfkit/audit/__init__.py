"""Publication, appeals and the final round (公示、申诉、复核), on a hash-chained audit log.

* :func:`open_log` — the office's log (one SQLite file), append-only and hash-chained;
  :meth:`AuditLog.verify` names any entry edited, deleted, reordered or cut off;
* :func:`publish`, :func:`file_appeal`, :func:`decide`, :func:`finalise` — the round's
  lifecycle, every change an entry (who, when, unit, indicator, old and new value, reason,
  decision, decided by);
* :func:`review` — the final round (published + accepted appeals, re-evaluated) and the
  diff of scores, ranks and grades, every difference traced to its appeal.
"""
from perfkit.audit.lifecycle import (
    DECISIONS,
    RoundReview,
    appeals,
    decide,
    file_appeal,
    finalise,
    publish,
    review,
    round_status,
)
from perfkit.audit.log import GENESIS, AuditError, AuditLog, ChainProblem, Entry, Verification, entry_hash, open_log
from perfkit.audit.submissions import record_submission, store_folder, submissions

__all__ = ["open_log", "AuditLog", "AuditError", "Entry", "ChainProblem", "Verification", "entry_hash", "GENESIS",
           "publish", "file_appeal", "decide", "appeals", "review", "finalise", "round_status", "RoundReview",
           "DECISIONS", "record_submission", "submissions", "store_folder"]
