"""Benchmarking (对标): peer-city practice, peer-model schemes, unit benchmarking, index comparison.

* :mod:`~perfkit.analyses.benchmark.practice` — the benchmarking study as data (every
  statement a verbatim phrase of the source document with its section), the practice
  matrix, the home city's gap list with the document's recommendations, radar data;
* :mod:`~perfkit.analyses.benchmark.templates` — peer models re-expressed for the office's
  scheme (every component and point value from the document or an assumption), the round
  re-scored under each and compared with :func:`perfkit.analyses.compare`;
* :mod:`~perfkit.analyses.benchmark.units` — each unit against its category and its own
  history, and a DEA frontier (:mod:`~perfkit.analyses.benchmark.dea`) with peers and
  targets;
* :mod:`~perfkit.analyses.benchmark.next_grade` — how many points on which indicator
  lift a unit to the next grade, verified by re-evaluation;
* :mod:`~perfkit.analyses.benchmark.indices` — two composite indices on common units.
"""
from perfkit.analyses.benchmark.dea import DEAResult, dea
from perfkit.analyses.benchmark.indices import IndexComparison, compare_indices, published_index_path, read_index
from perfkit.analyses.benchmark.next_grade import (
    NextGrade,
    NextGrades,
    Verification,
    next_grades,
    points_to_next_grade,
    verify_next_grade,
)
from perfkit.analyses.benchmark.practice import (
    GapList,
    PeerPractice,
    PracticeMatrix,
    gap_list,
    load_practice,
    practice_matrix,
    radar_data,
)
from perfkit.analyses.benchmark.source import SourceDocument, find_source, read_source
from perfkit.analyses.benchmark.templates import (
    Template,
    TemplateComparison,
    apply_template,
    compare_templates,
    load_template,
    template_paths,
)
from perfkit.analyses.benchmark.units import UnitBenchmark, UnitFrontier, robust_trend, unit_benchmark, unit_frontier

__all__ = ["DEAResult", "GapList", "IndexComparison", "NextGrade", "NextGrades", "PeerPractice", "PracticeMatrix",
           "SourceDocument", "Template", "TemplateComparison", "UnitBenchmark", "UnitFrontier", "Verification",
           "apply_template", "compare_indices", "compare_templates", "dea", "find_source", "gap_list",
           "load_practice", "load_template", "next_grades", "points_to_next_grade", "practice_matrix",
           "published_index_path", "radar_data", "read_index", "read_source", "robust_trend", "template_paths",
           "unit_benchmark", "unit_frontier", "verify_next_grade"]
