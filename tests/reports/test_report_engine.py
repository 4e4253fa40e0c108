"""The warm-kernel papermill engine: every report runs in a fresh namespace, a kernel that
fails to start is retried, a notebook that runs too long is stopped and reported, and a
kernel listens on no TCP port."""
from __future__ import annotations

import os
import stat
import sys

import nbformat
import papermill as pm
import pytest
from jupyter_client.manager import KernelManager
from jupyter_core.utils import run_sync

from perfkit.report.engine import ENGINE_NAME, KernelStartError, WarmKernel
from perfkit.report.executors import Job, run_job


def _nb(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def kernel():
    with WarmKernel() as wk:
        yield wk


def test_nothing_one_report_defines_is_visible_to_the_next(kernel, tmp_path):
    first = _nb(tmp_path / "first.ipynb",
                "secret_of_unit_a = 'A'\nimport pandas as pd\npd.options.display.max_rows = 3\n"
                "import os\nos.environ['PK_LEAK'] = '1'\nimport warnings\nwarnings.simplefilter('error')")
    second = _nb(tmp_path / "second.ipynb",
                 "import os, warnings, pandas as pd\n"
                 "leaks = [n for n in ('secret_of_unit_a', 'pd', 'os', 'warnings') if n in dir() and n != 'pd' "
                 "and n not in ('os', 'warnings')]\n"
                 "print(sorted(k for k in globals() if not k.startswith('_') and k not in "
                 "('In', 'Out', 'get_ipython', 'exit', 'quit', 'open', 'os', 'warnings', 'pd', 'leaks')))\n"
                 "print(pd.options.display.max_rows, os.environ.get('PK_LEAK'), len(warnings.filters) > 0 and "
                 "warnings.filters[0][0] == 'error', leaks, len(Out))")
    pm.execute_notebook(first, tmp_path / "o1.ipynb", engine_name=ENGINE_NAME, warm_kernel=kernel,
                        progress_bar=False)
    nb = pm.execute_notebook(second, tmp_path / "o2.ipynb", engine_name=ENGINE_NAME, warm_kernel=kernel,
                             progress_bar=False)
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert text == "[]\n60 None False [] 0\n", text
    assert nb.cells[0].execution_count == 1
    assert kernel.starts == 1 and kernel.uses >= 2  # the same kernel ran both


def test_a_kernel_that_fails_to_start_is_retried(monkeypatch):
    wk = WarmKernel(preload="")
    real = WarmKernel._start_once
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("kernel died before replying to kernel_info")
        real(self)

    monkeypatch.setattr(WarmKernel, "_start_once", flaky)
    try:
        wk.start()
        assert wk.alive and len(calls) == 2 and len(wk.start_failures) == 1
    finally:
        wk.shutdown()


def test_a_kernel_that_never_starts_is_reported():
    wk = WarmKernel("no-such-kernel-spec", start_attempts=2)
    with pytest.raises(KernelStartError, match="after 2 attempt"):
        wk.start()
    assert len(wk.start_failures) == 2


def test_a_notebook_over_its_time_limit_fails_with_a_timeout(tmp_path):
    nb = _nb(tmp_path / "slow.ipynb", "x = 1", "import time\ntime.sleep(60)")
    job = Job(id="slow", kind="slow", notebook=str(nb), params={}, html=str(tmp_path / "slow.html"),
              ipynb=str(tmp_path / "run" / "slow.ipynb"), lang="en", timeout=3)
    res = run_job(job)
    assert res.status == "failed" and res.error["type"] == "timeout"
    assert res.error["notebook_cell"] == 1 and res.seconds < 30
    assert not (tmp_path / "slow.html").exists()
    # the next job gets a fresh kernel and works
    ok = _nb(tmp_path / "ok.ipynb", "from IPython.display import HTML\nHTML('<p>fine</p>')")
    res = run_job(Job(id="ok", kind="ok", notebook=str(ok), params={}, html=str(tmp_path / "ok.html"),
                      ipynb=str(tmp_path / "run" / "ok.ipynb"), lang="en"))
    assert res.status == "ok" and "<p>fine</p>" in (tmp_path / "ok.html").read_text()


# ---------------------------------------------------------------------- no network
def _tcp_listening(pid: int) -> list[str]:
    """Local addresses of the TCP sockets process ``pid`` listens on (Linux /proc)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{table}") as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and cols[9] in inodes:  # state LISTEN
                    found.append(cols[1])
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_report_kernel_listens_on_no_tcp_port_and_warns_of_nothing(capfd):
    # the detectors themselves: a plain Jupyter kernel (TCP) is seen listening and warns
    plain = KernelManager(kernel_name="python3")
    plain.start_kernel()
    try:
        kc = plain.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        assert _tcp_listening(plain.provisioner.pid)
        kc.stop_channels()
    finally:
        plain.shutdown_kernel(now=True)
    assert "Kernel is running over TCP without encryption" in capfd.readouterr().err

    with WarmKernel(preload="") as wk:
        pid = wk.km.provisioner.pid
        assert _tcp_listening(pid) == []
        info = wk.km.get_connection_info()
        assert info["transport"] == "ipc"
        folder = os.path.dirname(info["ip"])
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700  # only the runner's user reaches the sockets
        # output of a subprocess the notebook forks still arrives (through the IPC pipe)
        texts = []
        run_sync(wk.kc.execute_interactive)(
            "import os, time\npid = os.fork()\nif pid == 0:\n    print('from the child', flush=True)\n"
            "    os._exit(0)\nos.waitpid(pid, 0)\ntime.sleep(0.5)", timeout=30,
            output_hook=lambda m: texts.append(m["content"].get("text") or ""))
        assert "from the child" in "".join(texts)
        assert _tcp_listening(pid) == []
    err = capfd.readouterr().err
    assert "without encryption" not in err and "TCP" not in err
