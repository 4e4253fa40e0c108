"""Kernel side of the warm-kernel engine (runs inside the IPython kernel)."""
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
    import perfkit.report  # noqa: F401
    import perfkit.report.figures  # noqa: F401
    import perfkit.report.tables  # noqa: F401
    from perfkit.charts import warmup

    warmup()
    _STATE["environ"] = dict(os.environ)
    _STATE["filters"] = list(warnings.filters)
    _STATE["path"] = list(sys.path)
    del pandas


def reset(cwd: str) -> None:
    """Give the next notebook a fresh namespace in ``cwd`` (modules stay imported)."""
    ip = get_ipython()  # noqa: F821 - defined in the kernel
    ip.run_line_magic("reset", "-f")
    ip.execution_count = 1
    if "environ" in _STATE:
        os.environ.clear()
        os.environ.update(_STATE["environ"])
        warnings.filters[:] = _STATE["filters"]
        sys.path[:] = _STATE["path"]
    os.chdir(cwd)
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.reset_option("all")
    try:
        import altair as alt

        alt.data_transformers.enable("default")
        alt.theme.enable("default")
    except Exception:  # noqa: BLE001 - altair API differences are not worth failing a report
        pass
