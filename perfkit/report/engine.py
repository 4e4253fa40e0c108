"""A papermill engine that runs notebooks on a warm kernel, each in a fresh namespace.

Plain papermill starts a kernel per notebook (about 1.4 s) and the notebook then imports
pandas, altair and perfkit (about 3 s): most of the 5 s a small report costs. Here a worker
keeps one :class:`WarmKernel` — started once, with those modules imported and vl-convert's
JavaScript engine started — and before each notebook the kernel is reset: ``%reset -f``
empties the user namespace (and the output history), the working directory, environment
variables, warning filters and pandas/altair options are restored to their state after
warm-up, and the execution count starts again at 1. Modules stay imported, which is the
point. What one report defines is therefore not visible to the next (a test checks it).

What a reset cannot undo: changes a notebook makes *inside* an imported module's state
(monkey-patching a library function). Notebooks here do not; ``max_uses`` bounds the risk
(and memory growth) by replacing the kernel after that many notebooks.

Use::

    with WarmKernel() as wk:
        papermill.execute_notebook(src, dst, parameters={...}, engine_name="perfkit-warm",
                                   warm_kernel=wk)
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines

__all__ = ["WarmKernel", "WarmEngine", "KernelStartError", "PRELOAD", "ENGINE_NAME", "KERNEL_LAUNCHER"]

log = logging.getLogger("perfkit.report")

ENGINE_NAME = "perfkit-warm"

#: Started instead of ``ipykernel_launcher``: the same kernel with no TCP socket at all.
KERNEL_LAUNCHER = "perfkit.report._kernel"

#: Run once in a new kernel: the imports every report needs, and vl-convert's start-up.
PRELOAD = "import perfkit.report._kernel as _pk_kernel; _pk_kernel.preload(); del _pk_kernel"


class KernelStartError(RuntimeError):
    """The kernel did not start (after the retries)."""


class WarmKernel:
    """One kernel kept alive across notebooks.

    Parameters
    ----------
    kernel_name
        Jupyter kernel spec name.
    preload
        Code run once after start-up (imports, warm-up).
    startup_timeout
        Seconds to wait for the kernel to answer.
    start_attempts
        Tries to start a kernel before giving up (a kernel that fails to start is retried).
    max_uses
        Notebooks run on one kernel before it is replaced by a fresh one.
    env
        Extra environment variables for the kernel process.
    """

    def __init__(self, kernel_name: str = "python3", *, preload: str = PRELOAD, startup_timeout: float = 60,
                 start_attempts: int = 2, max_uses: int = 200, env: dict[str, str] | None = None):
        self.kernel_name = kernel_name
        self.preload = preload
        self.startup_timeout = startup_timeout
        self.start_attempts = max(1, int(start_attempts))
        self.max_uses = max_uses
        self.env = dict(env or {})
        self.km = None
        self.kc = None
        self.uses = 0
        self.starts = 0
        self.start_failures: list[str] = []
        self.thread = threading.get_ident()

    # ------------------------------------------------------------------ life cycle
    @property
    def alive(self) -> bool:
        return self.km is not None and run_sync(self.km.is_alive)()

    def start(self) -> WarmKernel:
        """Start the kernel and run the preload, retrying a failed start."""
        last: BaseException | None = None
        for attempt in range(1, self.start_attempts + 1):
            try:
                self._start_once()
                return self
            except Exception as exc:  # noqa: BLE001 - any failure to start is retried
                last = exc
                self.start_failures.append(f"attempt {attempt}: {type(exc).__name__}: {exc}")
                log.warning("kernel failed to start (attempt %d of %d): %s", attempt, self.start_attempts, exc)
                self.shutdown()
        raise KernelStartError(f"kernel {self.kernel_name!r} failed to start after {self.start_attempts} "
                               f"attempt(s): {last}") from last

    def _start_once(self) -> None:
        # local IPC sockets rather than TCP ports: nothing listens on the network
        self._ipc = tempfile.mkdtemp(prefix="perfkit-kernel-")
        self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                     ip=os.path.join(self._ipc, "k"))
        spec = self.km.kernel_spec
        if spec is not None and spec.argv[1:3] == ["-m", "ipykernel_launcher"]:
            # the same kernel, started so that its subprocess-output pipe is IPC too (not TCP)
            spec.argv = [spec.argv[0], "-m", KERNEL_LAUNCHER, *spec.argv[3:]]
        env = {**os.environ, **self.env, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        # no history database: nothing to write per cell, and no clash when the count restarts
        run_sync(self.km.start_kernel)(env=env, cwd=os.getcwd(),
                                       extra_arguments=["--HistoryManager.enabled=False"])
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
        self.starts += 1
        self.uses = 0
        if self.preload:
            self.run(self.preload, timeout=self.startup_timeout)

    def shutdown(self) -> None:
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001
                pass
        self._forget()

    def _forget(self) -> None:
        """Drop the (stopped) kernel's manager, client and IPC socket folder."""
        self.km = None
        self.kc = None
        if getattr(self, "_ipc", None):
            shutil.rmtree(self._ipc, ignore_errors=True)
            self._ipc = None

    def kill(self) -> None:
        """Kill the kernel process (and what it started) at once, without the shutdown
        handshake: for a worker that is being stopped."""
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
            except OSError:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        cf = getattr(self.km, "connection_file", "")
        if cf:
            try:
                os.unlink(cf)
            except OSError:
                pass
        self._forget()

    def restart(self) -> None:
        self.shutdown()
        self.start()

    def __enter__(self) -> WarmKernel:
        return self.start() if self.km is None else self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    # ------------------------------------------------------------------ running
    def run(self, code: str, *, timeout: float = 60) -> dict[str, Any]:
        """Run ``code`` silently; raise ``RuntimeError`` with the kernel's traceback on error."""
        reply = run_sync(self.kc.execute_interactive)(code, silent=False, store_history=False, timeout=timeout,
                                                      output_hook=lambda msg: None)
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
        return content

    def prepare(self, cwd: str) -> None:
        """Make the kernel ready for the next notebook: alive, fresh namespace, ``cwd``."""
        if self.km is None or self.uses >= self.max_uses or not self.alive:
            self.shutdown()
            self.start()
        code = f"import perfkit.report._kernel as _pk_kernel; _pk_kernel.reset({cwd!r})"
        try:
            self.run(code, timeout=30)
        except Exception as exc:  # noqa: BLE001 - a kernel that cannot reset is replaced
            log.warning("kernel reset failed (%s); starting a fresh kernel", exc)
            self.restart()
            self.run(code, timeout=30)
        self.uses += 1

    def interrupt(self) -> None:
        """Send SIGINT to the kernel process (used by the per-notebook timeout)."""
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGINT)
            except OSError:
                pass


class NotebookTimeout(RuntimeError):
    pass


class WarmEngine(Engine):
    """papermill engine ``perfkit-warm``: executes on the ``warm_kernel`` given as an engine
    keyword (papermill passes unknown keywords of ``execute_notebook`` to the engine).

    ``notebook_timeout`` (seconds) bounds the whole notebook: when it runs out the kernel is
    interrupted, the running cell fails, and the kernel is replaced before the next notebook.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, warm_kernel: WarmKernel | None = None,
                                 notebook_timeout: float | None = None, **kwargs):
        if warm_kernel is None:
            raise TypeError("the perfkit-warm engine needs warm_kernel=WarmKernel(...)")
        wk = warm_kernel
        wk.prepare(os.getcwd())
        client = PapermillNotebookClient(
            nb_man, km=wk.km, startup_timeout=start_timeout,
            # per cell: the notebook's limit plus a grace for the interrupt to land
            timeout=execution_timeout or (notebook_timeout + 15 if notebook_timeout else None),
            kernel_name=kernel_name, log=log, log_output=log_output, stdout_file=stdout_file,
            stderr_file=stderr_file)
        client.kc = wk.kc
        timer = None
        fired = threading.Event()
        if notebook_timeout:
            def _fire():
                fired.set()
                wk.interrupt()
            timer = threading.Timer(notebook_timeout, _fire)
            timer.daemon = True
            timer.start()
        t0 = time.perf_counter()
        try:
            return client.execute()
        except Exception:
            # a kernel that timed out or died is replaced before the next notebook
            wk.shutdown()
            raise
        finally:
            if timer is not None:
                timer.cancel()
            if fired.is_set():
                wk.shutdown()
                nb_man.nb.metadata.setdefault("perfkit", {})["timeout"] = {
                    "seconds": notebook_timeout, "elapsed": round(time.perf_counter() - t0, 2)}


papermill_engines.register(ENGINE_NAME, WarmEngine)
