"""Kernel side of the warm-kernel engine (runs inside the IPython kernel).

Its functions import inside their bodies on purpose (deferred): they run in the report
kernel, where importing is the work to do once (:func:`preload`), not in the runner.
"""
from __future__ import annotations

import os
import sys
import warnings

_STATE: dict = {}


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
