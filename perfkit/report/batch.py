"""``perfkit report``: every report of a round, in parallel, skipping what has not changed.

Steps:

1. read the ROUND_CONFIG (:mod:`perfkit.report.config`);
2. validate and evaluate the round and its previous rounds **once**, and save the round's
   facts (:mod:`perfkit.report.facts`) and results workbook — unless the inputs (scheme,
   data files, rounds, perfkit's code) are unchanged since the last run;
3. plan one job per round-level notebook and language, and one per unit and language;
4. skip the jobs whose inputs (notebook, parameters, facts, code) are unchanged and whose
   HTML exists; run the others on an executor (local process pool or Dask), each worker
   keeping a warm kernel;
5. write ``index.html`` and ``manifest.json``: every report with its status, and every
   failure with its failing cell and error. A failing report never stops the others; the
   page an earlier run made for it is removed, so no out-of-date report is left to be read.

A run holds the output folder (a second run into it is refused) and builds everything it
writes — facts, workbook, reports, index and manifest — in a staging folder beside it;
the previous run's reports stay readable meanwhile, and the reports it skips stay where
they are. Only at the end is the new version committed whole
(:class:`perfkit.io.export.StagedOutput`): a journal, then renames, then the removal of
the previous run's files that this one no longer has. An interrupted run (Ctrl-C, a
crash, a kill) therefore leaves the previous complete state, or — killed within the
commit itself — a journal that marks the folder incomplete and that the next run finishes
first.

Output folder::

    index.html  manifest.json  round_report.zh.html  round_report.en.html
    feedback/zh/<unit>.html  feedback/en/<unit>.html
    results/results.xlsx  results/parquet/  results/manifest.json
    _run/facts/  _run/notebooks/  _run/stamps.json
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

import perfkit
from perfkit.errors import DataError, did_you_mean
from perfkit.io.export import (StagedOutput, locked_output, recover_output, safe_filename, unique_filenames,
                               write_evaluation, write_json)
from perfkit.io.manifest import package_versions
from perfkit.io.round import file_sha256
from perfkit.report.config import ConfigError, RoundConfig, default_notebook_dir, load_config
from perfkit.report.executors import Job, JobResult, make_executor
from perfkit.report.facts import build_facts, open_facts
from perfkit.report.index import write_index

__all__ = ["run_batch", "BatchResult", "plan_jobs", "code_digest", "Interrupted"]

RUN_DIR = "_run"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped a batch; the message says what state the output folder is in."""


@dataclass
class BatchResult:
    out: Path
    results: list[JobResult] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    prepared: bool = False

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


# ---------------------------------------------------------------------- digests
def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _file_sha(path: Path) -> str:
    return file_sha256(path)


_PACKAGE = Path(__file__).resolve().parents[1]


def _tree_files(root: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not any(part.startswith(".") for part in p.relative_to(root).parts)
                  and p.suffix not in (".pyc", ".pyo") and (suffixes is None or p.suffix in suffixes))


def code_digest(package: str | Path | None = None, notebooks: str | Path | None = None) -> str:
    """One hash of every file of the perfkit package (sources, catalogues, any data it
    ships) and of the report notebooks (``*.ipynb`` and any ``*.py`` beside them): a change
    anywhere there re-evaluates the round and re-runs the reports.

    ``package`` and ``notebooks`` default to the installed package and the project's
    ``notebooks/`` folder.
    """
    package = Path(package) if package is not None else _PACKAGE
    notebooks = Path(notebooks) if notebooks is not None else default_notebook_dir()
    parts = [f"perfkit/{f.relative_to(package).as_posix()}:{_file_sha(f)}" for f in _tree_files(package)]
    if notebooks.is_dir():
        parts += [f"notebooks/{f.relative_to(notebooks).as_posix()}:{_file_sha(f)}"
                  for f in _tree_files(notebooks, (".ipynb", ".py"))]
    return _sha(*parts)


def _inputs_digest(cfg: RoundConfig, code: str) -> tuple[str, list[dict[str, str]]]:
    inputs = []
    seen = set()
    for r in cfg.rounds:
        sp = cfg.scheme_path(r)
        if sp not in seen:
            seen.add(sp)
            inputs.append({"path": str(sp), "sha256": _file_sha(sp)})
        p = cfg.data_path(r)
        files = [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith("."))
        for q in files:
            if q not in seen:
                seen.add(q)
                inputs.append({"path": str(q), "sha256": _file_sha(q)})
    for name in sorted(cfg.inputs):
        p = cfg.input_path(name)
        files = [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith("."))
        for q in files:
            if q not in seen:
                seen.add(q)
                inputs.append({"path": str(q), "sha256": _file_sha(q), "input": name})
    digest = _sha(code, json.dumps(cfg.rounds), cfg.data, cfg.scheme, json.dumps(cfg.inputs, sort_keys=True),
                  *(f"{i['path']}:{i['sha256']}" for i in inputs))
    return digest, inputs


# ---------------------------------------------------------------------- preparing
def _prepare(cfg: RoundConfig, out: Path, *, log: Callable[[str], None]):
    """Validate and evaluate every round once; save the facts and the results workbook."""
    facts_dir = out / RUN_DIR / "facts"
    evs = {}
    for r in cfg.rounds:
        scheme = perfkit.load_scheme(cfg.scheme_path(r))
        data = perfkit.load_round(cfg.data_path(r), round=r)
        report = perfkit.validate_round(scheme, data)
        tag = "round" if r == cfg.round else "previous round"
        log(f"{tag} {r}: {len(report.data.units)} units, {len(report.errors)} error(s), "
            f"{len(report.warnings)} warning(s)")
        if report.errors:
            for p in report.errors[:10]:
                log(f"  {p}")
            raise DataError(f"round {r} has {len(report.errors)} data error(s)", where=[str(cfg.data_path(r))],
                            hint="fix them (see `perfkit validate`) and run again")
        evs[r] = perfkit.evaluate(scheme, data, validation=report)
    build_facts(evs, round=cfg.round).save(facts_dir)
    write_evaluation(evs[cfg.round], out / "results",
                     manifest_extra={"command": " ".join(sys.argv), "config": cfg.file})


def _check_units(cfg: RoundConfig) -> None:
    """Unknown unit ids in the config are an error before anything runs."""
    if cfg.units == "all":
        return

    have = [str(u).strip() for u in perfkit.load_round(cfg.data_path(cfg.round), round=cfg.round).units["unit_id"]]
    unknown = [u for u in cfg.units if u not in have]
    if unknown:
        raise ConfigError(f"unknown unit {unknown[0]!r}{did_you_mean(unknown[0], have)}"
                          + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""),
                          where=[cfg.file or "<config>", "units"], hint="use unit ids of the round's units table")


# ---------------------------------------------------------------------- planning
def _feedback_wanted(facts, unit: str) -> str:
    return f"{unit}_{facts.results.loc[unit, 'name_zh']}" if unit in facts.results.index else unit


def _feedback_name(facts, unit: str) -> str:
    return safe_filename(_feedback_wanted(facts, unit))


def feedback_names(facts, units: Iterable[str]) -> dict[str, str]:
    """The file name (without ``.html``) of each unit's feedback report: ``<id>_<name>``
    made safe, with a short hash of the unit id where two units would share a file."""
    return unique_filenames({u: _feedback_wanted(facts, u) for u in units})


def plan_jobs(cfg: RoundConfig, out: Path, facts, units: list[str], facts_digest: str, code: str) -> list[Job]:
    """One job per round-level notebook and language, one per unit and language.

    Paths are the final ones in ``out`` (the run writes to staged copies of them). A
    round-level report's key includes the list of the round's reports, which it links.
    """
    jobs = []
    facts_dir = str((out / RUN_DIR / "facts").resolve())
    base = {"scheme": cfg.scheme, "data": cfg.data, "round": cfg.round, "previous": list(cfg.previous),
            "out": str(out.resolve()), "facts": facts_dir}
    if cfg.inputs:
        base["inputs"] = {k: str(cfg.input_path(k)) for k in cfg.inputs}
    names = feedback_names(facts, units) if units else {}
    pages = unique_filenames({n: n for n in cfg.notebooks if not cfg.per_unit(n)})  # Round_report, round_report
    unit_dirs = unique_filenames({n: n for n in cfg.notebooks if cfg.per_unit(n) and n != "unit_feedback"})
    for name in cfg.notebooks:
        nb = cfg.notebook_path(name).resolve()
        nb_sha = _file_sha(nb)
        for lang in cfg.langs:
            # each per-unit notebook has its own folder (feedback/ for the feedback lists)
            folder = "feedback" if name == "unit_feedback" else unit_dirs.get(name, "")
            targets = [(u, f"{folder}/{lang}/{names[u]}.html") for u in units] \
                if cfg.per_unit(name) else [(None, f"{pages[name]}.{lang}.html")]
            for unit, rel in targets:
                params = {**base, **cfg.params.get(name, {}), "lang": lang,
                          **({"unit": unit} if unit is not None else {})}
                jid = f"{name}:{lang}" + (f":{unit}" if unit is not None else "")
                key = _sha(nb_sha, json.dumps(params, sort_keys=True), facts_digest, code, str(cfg.timeout))
                meta = {"perfkit-report": name, "perfkit-lang": lang, "perfkit-round": cfg.round}
                if unit is not None:
                    meta["perfkit-unit"] = unit
                jobs.append(Job(id=jid, kind=name, notebook=str(nb), params=params, html=str((out / rel).resolve()),
                                ipynb=str((out / RUN_DIR / "notebooks" / Path(rel).with_suffix(".ipynb")).resolve()),
                                lang=lang, unit=unit, timeout=cfg.timeout, key=key, meta=meta))
    listed = _sha(json.dumps(_report_list(jobs, out), sort_keys=True))
    return [j if j.unit is not None else dataclasses.replace(j, key=_sha(j.key, listed)) for j in jobs]


def _report_list(jobs: list[Job], out: Path) -> list[dict[str, str]]:
    rows = [{"kind": "index", "lang": "", "unit": "", "path": "index.html"}]
    for j in jobs:
        rows.append({"kind": j.kind, "lang": j.lang, "unit": j.unit or "", "path": _rel(j.html, out)})
    rows.append({"kind": "xlsx", "lang": "", "unit": "", "path": "results/results.xlsx"})
    rows.append({"kind": "manifest", "lang": "", "unit": "", "path": "manifest.json"})
    return rows


def _rel(path: str | Path, out: Path) -> str:
    return Path(path).resolve().relative_to(out.resolve()).as_posix()


def _staged(job: Job, out: Path, root: Path) -> Job:
    """The job as it runs: writing into the staging folder, reading the staged facts."""
    def moved(p: str) -> str:
        return str(root / _rel(p, out))
    return dataclasses.replace(job, html=moved(job.html), ipynb=moved(job.ipynb),
                               params={**job.params, "facts": moved(job.params["facts"])})


def _link_tree(src: Path, dst: Path) -> None:
    """``dst`` as a copy of ``src`` made of hard links (copies where links are not possible):
    the staged facts of a run that reuses the evaluation. Files written later replace a
    link by a rename, never write through it."""
    for f in _tree_files(src):
        target = dst / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(f, target)
        except OSError:
            shutil.copy2(f, target)


def _previous(out: Path, name: str) -> dict[str, Any]:
    try:
        m = json.loads((out / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return m if isinstance(m, dict) else {}


def _stale(out: Path, staged: StagedOutput, planned: list[Job], failed: Iterable[str],
           prepared: bool) -> list[str]:
    """Files of the previous run that this run no longer has: the pages of reports that
    failed now (they would show out-of-date content), reports no longer planned (and
    their executed notebooks), and — when the round was evaluated again — workbook,
    Parquet and facts files the new evaluation does not write. Only files that perfkit
    recorded (in the manifests) or that live in its own ``_run/facts`` are named."""
    failed = set(failed)
    stale = {_rel(j.html, out) for j in planned if j.id in failed}
    keep = {_rel(p, out) for j in planned for p in (j.html, j.ipynb)} - stale
    for r in _previous(out, "manifest.json").get("reports", []):
        if isinstance(r, dict):
            stale |= {v for k in ("html", "notebook_run") if isinstance(v := r.get(k), str) and v not in keep}
    if prepared:
        new = set(staged.files())
        outputs = _previous(out, "results/manifest.json").get("outputs", {})
        if isinstance(outputs, dict):
            stale |= {f"results/{v}" for v in outputs.values() if isinstance(v, str)} - new
        facts = out / RUN_DIR / "facts"
        if facts.is_dir():
            stale |= {f.relative_to(out).as_posix() for f in _tree_files(facts)} - new
    return sorted(stale)


# ---------------------------------------------------------------------- running
def run_batch(config: str | Path | RoundConfig, out: str | Path, *, jobs: int = 1, executor: str = "local",
              scheduler: str | None = None, force: bool = False, progress: bool = True,
              log: Callable[[str], None] | None = None) -> BatchResult:
    """Produce every report of the round in ``config`` into ``out``.

    Returns a :class:`BatchResult`; failed reports are listed there and in the manifest
    (the CLI exits non-zero). Problems with the config or the data raise
    :class:`~perfkit.errors.PerfkitError` before any notebook runs; another run holding
    ``out`` raises :class:`~perfkit.io.export.OutputError`. Everything is written to a
    staging folder and committed at the end, so an interrupted run (Ctrl-C raises
    :class:`Interrupted`) leaves ``out`` as the previous run left it.
    """
    log = log or (lambda s: print(s, file=sys.stderr))
    t_start = time.perf_counter()
    cfg = config if isinstance(config, RoundConfig) else load_config(config)
    out = Path(out)
    with locked_output(out):
        state = recover_output(out)
        if state == "completed":
            log(f"finished the commit of an interrupted earlier run in {out}")
        staged = StagedOutput(out)
        try:
            result = _run(cfg, out, staged, jobs=jobs, executor=executor, scheduler=scheduler, force=force,
                          progress=progress, log=log, t_start=t_start)
        except KeyboardInterrupt:
            staged.discard()
            if staged.committed:
                raise Interrupted(f"stopped after the run was complete: {out} holds its reports") from None
            raise Interrupted(f"{out} is as the previous complete run left it") from None
        except BaseException:
            staged.discard()
            raise
    log(f"{result.count('ok')} produced, {result.count('skipped')} skipped, {len(result.failed)} failed "
        f"in {result.timings['total']:.1f} s; index: {out / 'index.html'}")
    return result


def _run(cfg: RoundConfig, out: Path, staged: StagedOutput, *, jobs: int, executor: str, scheduler: str | None,
         force: bool, progress: bool, log: Callable[[str], None], t_start: float) -> BatchResult:
    root = staged.root
    code = code_digest(notebooks=cfg.notebook_dir or default_notebook_dir())
    digest, inputs = _inputs_digest(cfg, code)
    facts_dir = root / RUN_DIR / "facts"
    stamp = out / RUN_DIR / "facts" / "inputs.sha256"
    reuse = (not force and stamp.is_file() and stamp.read_text().strip() == digest
             and (out / "results" / "manifest.json").is_file() and (out / RUN_DIR / "facts" / "meta.json").is_file())
    env = {"PERFKIT_FONT_DIR": str(cfg.font_dir)} if cfg.font_dir else {}
    with make_executor(executor, jobs, scheduler=scheduler, env=env) as ex:
        if reuse:
            log(f"round {cfg.round}: inputs unchanged, reusing the evaluation in {out / RUN_DIR / 'facts'}")
            _link_tree(out / RUN_DIR / "facts", facts_dir)
        else:
            _check_units(cfg)
            ex.start()  # workers warm their kernels while the round is evaluated here
            _prepare(cfg, root, log=log)
            (facts_dir / "inputs.sha256").write_text(digest)
        facts = open_facts(facts_dir)
        t_prep = time.perf_counter()

        units = facts.units if cfg.units == "all" else list(cfg.units)
        unknown = [u for u in units if u not in facts.results.index]
        if unknown:
            raise ConfigError(f"unknown unit {unknown[0]!r}{did_you_mean(unknown[0], facts.units)}"
                              + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""),
                              where=[cfg.file or "<config>", "units"], hint="use unit ids of the round's units table")
        planned = plan_jobs(cfg, out, facts, units, digest, code)
        write_json(facts_dir / "reports.json", _report_list(planned, out))

        old_stamps = _previous(out, f"{RUN_DIR}/stamps.json")
        stamps, todo, results = {}, [], []
        for j in planned:
            if not force and old_stamps.get(j.id) == j.key and Path(j.html).is_file():
                results.append(JobResult(j.id, "skipped"))
                stamps[j.id] = j.key
            else:
                todo.append(j)
        log(f"{len(planned)} report(s): {len(todo)} to run, {len(results)} unchanged (skipped); "
            f"executor {executor}, jobs {jobs}")
        by_id = {j.id: j for j in todo}
        bar = _progress(len(todo), progress)
        for res in ex.run([_staged(j, out, root) for j in todo]):
            results.append(res)
            job = by_id[res.id]
            if res.status == "ok":
                stamps[res.id] = job.key
            else:
                err = res.error or {}
                bar.write(f"FAILED {res.id}: cell {err.get('notebook_cell', '?')}: {err.get('ename')}: "
                          f"{str(err.get('evalue', ''))[:200]}")
            bar.update(1)
        bar.close()
    t_run = time.perf_counter()
    write_json(root / RUN_DIR / "stamps.json", stamps)

    result = BatchResult(out=out, results=results, jobs=planned, prepared=not reuse)
    result.timings = {"prepare": round(t_prep - t_start, 3), "reports": round(t_run - t_prep, 3)}
    evaluation = _previous(root if not reuse else out, "results/manifest.json")
    manifest = _manifest(cfg, out, result, inputs, digest, executor, jobs, evaluation)
    write_index(root, facts, manifest)
    result.timings["total"] = round(time.perf_counter() - t_start, 3)
    manifest["timings"] = result.timings
    write_json(root / "manifest.json", manifest)
    stale = _stale(out, staged, planned, [r.id for r in result.failed], prepared=not reuse)
    staged.commit(remove=stale, last=("manifest.json", "index.html"))
    return result


class _NoBar:
    def update(self, n): pass
    def close(self): pass
    def write(self, s): print(s, file=sys.stderr)


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return _NoBar()

    return tqdm(total=total, desc="reports", unit="nb", file=sys.stderr, dynamic_ncols=True)


def _manifest(cfg: RoundConfig, out: Path, result: BatchResult, inputs, digest: str, executor: str,
              jobs: int, evaluation: Mapping[str, Any]) -> dict[str, Any]:
    evaluation = {k: v for k, v in evaluation.items() if k != "versions"}
    by_id = {j.id: j for j in result.jobs}
    reports = []
    for r in sorted(result.results, key=lambda r: r.id):
        j = by_id[r.id]
        reports.append({"id": r.id, "notebook": j.kind, "lang": j.lang, "unit": j.unit,
                        "html": _rel(j.html, out), "notebook_run": _rel(j.ipynb, out),
                        "status": r.status, "seconds": round(r.seconds, 3), "attempts": r.attempts,
                        "worker": r.worker, "error": r.error})
    return {
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "config": {"file": cfg.file, **json.loads(cfg.model_dump_json(exclude={"file"}))},
        "round": cfg.round, "inputs": inputs, "inputs_digest": digest,
        "executor": {"name": executor, "jobs": jobs, "pid": os.getpid()},
        "summary": {"reports": len(reports), "ok": result.count("ok"), "skipped": result.count("skipped"),
                    "failed": len(result.failed), "evaluated": result.prepared},
        "failures": [r for r in reports if r["status"] == "failed"],
        "reports": reports,
        "evaluation": evaluation,
        "versions": package_versions(),
    }
