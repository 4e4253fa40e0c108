"""Kernel side of the warm-kernel engine (runs inside the IPython kernel).

Its functions import inside their bodies on purpose (deferred): they run in the report
kernel, where importing is the work to do once (:func:`preload`), not in the runner.

``python -m perfkit.report._kernel -f CONNECTION_FILE`` starts the kernel itself
(:func:`launch`), as ``python -m ipykernel_launcher`` would, but with no TCP socket at all.
"""
from __future__ import annotations

import os
import sys
import warnings

_STATE: dict = {}


def launch() -> None:
    """Start an IPython kernel whose every socket is private to the runner.

    With the IPC transport ipykernel still binds one socket to a TCP port on 127.0.0.1:
    the IOPub pipe that carries the output of subprocesses a notebook forks. Here that
    pipe is an IPC socket beside the kernel's others (in the runner's folder, mode 0700),
    so nothing of a kernel that holds a round's data listens on the network. With the TCP
    transport nothing is changed.
    """
    if sys.path and sys.path[0] in ("", os.getcwd()):  # as ipykernel_launcher: not the cwd while loading
        del sys.path[0]
    import zmq
    from ipykernel import iostream, kernelapp
    from zmq.eventloop.zmqstream import ZMQStream

    thread = iostream.IOPubThread
    original_in, original_out = thread._setup_pipe_in, thread._setup_pipe_out

    def setup_pipe_in(self) -> None:
        app = kernelapp.IPKernelApp.instance() if kernelapp.IPKernelApp.initialized() else None
        if app is None or app.transport != "ipc":
            return original_in(self)
        self._pipe_uuid = os.urandom(16)
        sock = self.socket.context.socket(zmq.PULL)
        sock.linger = 0
        self._perfkit_pipe = f"ipc://{app.ip}-pipe"
        sock.bind(self._perfkit_pipe)
        self._pipe_in = ZMQStream(sock, self.io_loop)
        self._pipe_in.on_recv(self._handle_pipe_msg)
        return None

    def setup_pipe_out(self):
        address = getattr(self, "_perfkit_pipe", None)
        if address is None:
            return original_out(self)
        ctx = zmq.Context()
        sock = ctx.socket(zmq.PUSH)
        sock.linger = 3000  # as ipykernel: 3 s for a forked child's last output
        sock.connect(address)
        return ctx, sock

    thread._setup_pipe_in, thread._setup_pipe_out = setup_pipe_in, setup_pipe_out
    kernelapp.launch_new_instance()


def preload() -> None:
    """Import what every report needs, start vl-convert, and remember the clean state."""
    import altair  # noqa: F401
    import numpy  # noqa: F401
    import pandas

    import perfkit  # noqa: F401
    import perfkit.charts.figures  # noqa: F401
    import perfkit.report  # noqa: F401
    import perfkit.report.tables  # noqa: F401
    from perfkit.charts import warmup

    warmup()
    _STATE["environ"] = dict(os.environ)
    _STATE["filters"] = list(warnings.filters)
    _STATE["path"] = list(sys.path)
    _STATE["ns"] = {k: v for k, v in get_ipython().user_ns.items() if k != "_pk_kernel"}  # noqa: F821
    del pandas


def reset(cwd: str) -> None:
    """Give the next notebook a fresh namespace in ``cwd`` (modules stay imported)."""
    ip = get_ipython()  # noqa: F821 - defined in the kernel
    _clear_namespace(ip)
    ip.execution_count = 1
    if "environ" in _STATE:
        os.environ.clear()
        os.environ.update(_STATE["environ"])
        warnings.filters[:] = _STATE["filters"]
        sys.path[:] = _STATE["path"]
    os.chdir(cwd)
    for restore in (_reset_pandas, _reset_altair):
        try:
            restore()
        except Exception:  # noqa: BLE001 - library API differences are not worth failing a report
            pass


def _reset_pandas() -> None:
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.reset_option("all")


def _reset_altair() -> None:
    import altair as alt

    alt.data_transformers.enable("default")
    alt.theme.enable("default")


def _clear_namespace(ip) -> None:
    """What ``%reset -f`` does to the namespace and the output history, without its
    ``gc.collect()`` (0.2 s with pandas loaded, paid per report)."""
    init = _STATE.get("ns")
    if init is None:
        ip.run_line_magic("reset", "-f")
        return
    ns = ip.user_ns
    for k in list(ns):
        if k not in init:
            del ns[k]
    ns.update(init)
    hm = ip.history_manager
    hm.input_hist_parsed[:] = [""]
    hm.input_hist_raw[:] = [""]
    hm.output_hist.clear()
    hm.output_hist_reprs.clear()
    for attr in ("_", "__", "___"):
        setattr(ip.displayhook, attr, "")
        ns[attr] = ""
    ip.user_ns_hidden.update({k: v for k, v in init.items()})


if __name__ == "__main__":
    launch()
