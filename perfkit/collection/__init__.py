"""Data collection (数据采集): who returns what, templates, returned files, collectors' record.

* :func:`duty_cells` — every unit x indicator cell of a round and its collector;
* :func:`write_templates` — one protected, validated XLSX template per collector;
* :func:`ingest` — read returned templates and free-form files, every problem at its cell;
* :func:`collector_performance` — timeliness, errors per submission and resubmissions per
  collector and round; :func:`collection_penalties` turns that record into points on the
  collector's own evaluation when the scheme declares ``collection:`` (反向约束).
"""
from perfkit.collection.cells import Cell, cell_ref, column_letters
from perfkit.collection.duty import Collector, collector_names, deadline_of, duty_cells, read_collectors, read_deadlines
from perfkit.collection.figures import Figures, ReturnProblem, check_figures
from perfkit.collection.ingest import Ingestion, ReturnedFile, ingest, returned_files
from perfkit.collection.performance import (
    CollectorPerformance,
    collection_penalties,
    collector_performance,
    read_records,
    submission_errors,
)
from perfkit.collection.template import fill_template, template_name, write_templates

__all__ = ["Cell", "cell_ref", "column_letters", "Collector", "collector_names", "deadline_of", "duty_cells",
           "read_collectors", "read_deadlines", "Figures", "ReturnProblem", "check_figures", "Ingestion",
           "ReturnedFile", "ingest", "returned_files", "fill_template", "template_name", "write_templates",
           "CollectorPerformance", "collection_penalties", "collector_performance", "read_records",
           "submission_errors"]
