"""Reports of a round: the round report, one feedback list per unit, an index page.

Notebook side (``notebooks/round_report.ipynb``, ``notebooks/unit_feedback.ipynb``)::

    import perfkit.report as pr
    f = pr.prepare_facts("scheme.yaml", "rounds/{round}", round=2025, previous=[2024])
    page = pr.Page(f, "zh")

Batch side: :func:`perfkit.report.batch.run_batch` (``perfkit report CONFIG --out DIR``)
evaluates the round once, saves its facts, and runs the notebooks through papermill on a
pool of warm kernels (:mod:`perfkit.report.engine`), exporting offline HTML
(:mod:`perfkit.report.html`) and an index page with the run's manifest.
"""
from perfkit.i18n import t
from perfkit.report.facts import RoundFacts, UnitFacts, build_facts, open_facts, prepare_facts
from perfkit.report.show import Block, Page

__all__ = ["RoundFacts", "UnitFacts", "build_facts", "open_facts", "prepare_facts", "Page", "Block", "t"]
