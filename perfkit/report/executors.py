"""Where report jobs run: a local process pool (default) or a Dask cluster.

Each worker process (or Dask worker thread) keeps one warm kernel for all the jobs it is
given (:mod:`perfkit.report.engine`). A job is plain data (:class:`Job`) and its outcome is
plain data (:class:`JobResult`), so both executors ship them the same way. A failing
notebook never raises out of :func:`run_job`: its failing cell and error are returned.

Stopping: the local workers start with Ctrl-C ignored and then leave the terminal's process
group, so Ctrl-C reaches the runner alone (no worker tracebacks); the runner then stops
them (SIGTERM), and a worker that receives SIGTERM — or whose runner dies, on Linux —
kills its kernel and exits at once.
"""
from __future__ import annotations

import atexit
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import nbformat
import papermill as pm
from papermill.exceptions import PapermillExecutionError

from perfkit.report.engine import ENGINE_NAME, KernelStartError, WarmKernel
from perfkit.report.html import write_html

__all__ = ["Job", "JobResult", "run_job", "init_worker", "init_local_worker", "LocalExecutor", "DaskExecutor",
           "make_executor", "EXECUTORS"]


@dataclass(frozen=True)
class Job:
    """One notebook run: notebook, parameters, outputs (absolute paths)."""

    id: str
    kind: str
    notebook: str
    params: dict[str, Any]
    html: str
    ipynb: str
    lang: str
    unit: str | None = None
    timeout: float = 600
    key: str = ""
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class JobResult:
    id: str
    status: str  # ok | failed | skipped
    seconds: float = 0.0
    attempts: int = 0
    error: dict[str, Any] | None = None
    worker: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------- worker side
_KERNELS: dict[int, Any] = {}
_ENV: dict[str, str] = {}


def init_worker(env: dict[str, str] | None = None, warm: bool = True) -> str:
    """Set the worker's environment and start its warm kernel (run once per worker)."""
    global _ENV
    _ENV = dict(env or {})
    os.environ.update(_ENV)

    atexit.register(shutdown_worker)
    if warm:
        _kernel()
    return f"{os.getpid()}"


def init_local_worker(env: dict[str, str] | None = None) -> str:
    """:func:`init_worker` for a process of the local pool: first make the process stop
    cleanly (see the module's docstring)."""
    if hasattr(os, "setpgrp"):
        os.setpgrp()  # out of the terminal's process group: Ctrl-C goes to the runner only
    signal.signal(signal.SIGTERM, _terminate)
    _die_with_parent()
    return init_worker(env)


def _terminate(signum, frame) -> None:
    """SIGTERM in a worker: kill its kernels (no shutdown handshake) and exit now."""
    for wk in list(_KERNELS.values()):
        wk.kill()
    os._exit(128 + signum)


def _die_with_parent() -> None:
    """Linux: have the kernel send this worker SIGTERM when the runner dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    parent = mp.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # the runner died before prctl
        _terminate(signal.SIGTERM, None)


def _kernel():
    tid = threading.get_ident()
    wk = _KERNELS.get(tid)
    if wk is None:
        wk = WarmKernel(env=_ENV)
        _KERNELS[tid] = wk
        wk.start()
    return wk


def _cell_error(exc) -> dict[str, Any]:
    src = str(getattr(exc, "source", "") or "")
    first = next((ln for ln in src.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    return {"type": "cell", "cell_index": getattr(exc, "cell_index", None),
            "exec_count": getattr(exc, "exec_count", None), "ename": getattr(exc, "ename", type(exc).__name__),
            "evalue": str(getattr(exc, "evalue", exc))[:2000], "source": first[:200]}


def run_job(job: Job) -> JobResult:
    """Run one notebook on this worker's warm kernel and export its HTML."""
    t0 = time.perf_counter()
    worker = f"{os.uname().nodename}:{os.getpid()}"
    error: dict[str, Any] | None = None
    attempts = 0
    for attempt in (1, 2):
        attempts = attempt
        try:
            wk = _KERNELS.get(threading.get_ident())
            if wk is None:
                wk = _kernel()
            os.makedirs(os.path.dirname(job.ipynb), exist_ok=True)
            nb = pm.execute_notebook(job.notebook, job.ipynb, parameters=job.params, engine_name=ENGINE_NAME,
                                     warm_kernel=wk, notebook_timeout=job.timeout, progress_bar=False,
                                     request_save_on_cell_execute=False, kernel_name="python3",
                                     cwd=os.path.dirname(job.notebook))
            write_html(nb, job.html, lang=job.lang, meta=job.meta)
            return JobResult(job.id, "ok", time.perf_counter() - t0, attempts, None, worker)
        except KernelStartError as exc:
            _KERNELS.pop(threading.get_ident(), None)
            error = {"type": "kernel_start", "ename": "KernelStartError", "evalue": str(exc)}
            continue  # one retry with a new kernel
        except PapermillExecutionError as exc:
            error = _cell_error(exc)
            error["notebook_cell"] = _source_cell(job, error["cell_index"])
            if _timed_out(job):
                error.update(type="timeout", ename="Timeout",
                             evalue=f"the notebook ran longer than {job.timeout:g} s (in cell {error['cell_index']})")
            break
        except Exception as exc:  # noqa: BLE001 - a job must report, not raise
            name = type(exc).__name__
            error = {"type": "run", "ename": name, "evalue": str(exc)[:2000],
                     "traceback": traceback.format_exc(limit=5)[-3000:]}
            if name == "CellTimeoutError":
                error.update(type="timeout", evalue=f"the notebook ran longer than {job.timeout:g} s")
                break
            if name == "DeadKernelError":
                _KERNELS.pop(threading.get_ident(), None)
                continue  # the kernel died: one retry on a fresh kernel
            break
    return JobResult(job.id, "failed", time.perf_counter() - t0, attempts, error, worker)


def _source_cell(job: Job, index) -> int | None:
    """The failing cell's index in the notebook as stored (papermill inserts a parameters cell)."""
    try:

        nb = nbformat.read(job.ipynb, as_version=4)
        injected = sum("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells[:index])
        return index - injected
    except Exception:  # noqa: BLE001
        return index


def _timed_out(job: Job) -> bool:
    try:

        nb = nbformat.read(job.ipynb, as_version=4)
        return "timeout" in nb.metadata.get("perfkit", {})
    except Exception:  # noqa: BLE001
        return False


def shutdown_worker() -> None:
    for wk in list(_KERNELS.values()):
        wk.shutdown()
    _KERNELS.clear()


# ---------------------------------------------------------------------- executors
class LocalExecutor:
    """A pool of ``jobs`` worker processes (spawned), each with one warm kernel.

    :meth:`start` spawns the workers and warms their kernels in the background, so that
    the caller can evaluate the round meanwhile; :meth:`run` starts them if needed.
    """

    name = "local"

    def __init__(self, jobs: int = 1, *, env: dict[str, str] | None = None):
        self.jobs = max(1, int(jobs))
        self.env = dict(env or {})
        self._pool = None

    def start(self, n: int | None = None) -> None:
        if self._pool is None:
            n = min(self.jobs, n or self.jobs)
            self._pool = ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn"),
                                             initializer=init_local_worker, initargs=(self.env,))
            with _children_ignore_sigint():
                for _ in range(n):  # one submission per worker makes the pool spawn them all now
                    self._pool.submit(_ping)

    def run(self, jobs: Iterable[Job]) -> Iterator[JobResult]:
        jobs = list(jobs)
        if not jobs:
            return
        self.start(len(jobs))
        futures = {self._pool.submit(run_job, j): j for j in _interleave(jobs)}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 - a dead worker fails its job, not the batch
                res = JobResult(job.id, "failed", 0.0, 1, {"type": "worker", "ename": type(exc).__name__,
                                                            "evalue": str(exc)})
            yield res

    def close(self, *, abort: bool = False) -> None:
        """Wait for the workers to finish and stop them; ``abort``: stop them now."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        if not abort:
            pool.shutdown(wait=True, cancel_futures=True)
            return
        procs = list((getattr(pool, "_processes", None) or {}).values())
        for p in procs:
            try:
                p.terminate()  # SIGTERM: the worker kills its kernel and exits
            except (OSError, ValueError, AttributeError):
                pass
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(abort=exc_type is not None)


def _ping() -> int:
    return os.getpid()


@contextmanager
def _children_ignore_sigint() -> Iterator[None]:
    """Processes started in this block begin with SIGINT ignored (inherited through exec),
    so a Ctrl-C while they import cannot print a traceback from them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


class DaskExecutor:
    """Jobs on a Dask cluster: ``scheduler`` address, or a local cluster of ``jobs`` workers.

    Workers must see the same files (notebooks, facts, output folder) at the same paths —
    one machine, or a shared file system — and have perfkit installed.
    """

    name = "dask"

    def __init__(self, jobs: int = 1, *, scheduler: str | None = None, env: dict[str, str] | None = None):
        self.jobs = max(1, int(jobs))
        self.scheduler = scheduler
        self.env = dict(env or {})
        self._client = None
        self._cluster = None

    def start(self, n: int | None = None) -> None:
        if self._client is not None:
            return
        try:
            from distributed import Client, LocalCluster  # deferred: Dask is the optional [dask] extra
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("the dask executor needs dask[distributed]: pip install 'perfkit[dask]'") from exc
        if self.scheduler:
            self._client = Client(self.scheduler)
        else:
            self._cluster = LocalCluster(n_workers=min(self.jobs, n or self.jobs), threads_per_worker=1,
                                         processes=True, dashboard_address=None, silence_logs=40)
            self._client = Client(self._cluster)
        # warm every worker's kernel now, in the worker's task thread (where jobs will run)
        self._warm = [self._client.submit(init_worker, self.env, workers=[w], allow_other_workers=False,
                                          pure=False, key=f"perfkit-warm-{i}")
                      for i, w in enumerate(self._client.scheduler_info()["workers"])]

    def run(self, jobs: Iterable[Job]) -> Iterator[JobResult]:
        from distributed import as_completed  # deferred: Dask is the optional [dask] extra

        jobs = list(jobs)
        if not jobs:
            return
        self.start(len(jobs))
        client = self._client
        futures = {client.submit(run_job, j, key=f"report-{j.id}", pure=False, retries=0): j
                   for j in _interleave(jobs)}
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001
                res = JobResult(job.id, "failed", 0.0, 1, {"type": "worker", "ename": type(exc).__name__,
                                                            "evalue": str(exc)})
            yield res

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.run(shutdown_worker)
            except Exception:  # noqa: BLE001
                pass
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _interleave(jobs: list[Job]) -> list[Job]:
    """Round-level notebooks first (they take longest), then the unit reports."""
    return sorted(jobs, key=lambda j: 0 if j.unit is None else 1)


EXECUTORS = {"local": LocalExecutor, "dask": DaskExecutor}


def make_executor(name: str, jobs: int, *, scheduler: str | None = None, env: dict[str, str] | None = None):
    if name == "local":
        if scheduler:
            raise ValueError("--scheduler is for --executor dask")
        return LocalExecutor(jobs, env=env)
    if name == "dask":
        return DaskExecutor(jobs, scheduler=scheduler, env=env)
    raise ValueError(f"unknown executor {name!r}: use local or dask")
