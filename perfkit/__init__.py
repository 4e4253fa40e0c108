"""perfkit: design, run, stress-test and teach public-sector performance evaluation.

Quick start::

    import perfkit
    scheme = perfkit.load_scheme("datasets/real/oecd_bli/scheme.yaml")
    data = perfkit.load_round("datasets/real/oecd_bli/round")
    ev = perfkit.evaluate(scheme, data)
    ev.results            # score, rank within category, grade
    ev.explain("NOR")     # every point won or lost
"""
from perfkit.engine import Evaluation, Explanation, ValidationReport, evaluate, validate_round
from perfkit.errors import DataError, PerfkitError, SchemeError
from perfkit.io.round import RoundData, load_round
from perfkit.scheme import Scheme, load_scheme

__version__ = "0.1.0"

__all__ = [
    "evaluate", "load_scheme", "load_round", "validate_round", "Scheme", "RoundData", "Evaluation",
    "Explanation", "ValidationReport", "PerfkitError", "SchemeError", "DataError", "__version__",
]
