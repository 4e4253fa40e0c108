"""In-year tracking (全过程评估: 日常跟踪、通报、预警), rectification (整改跟踪) and results
use (结果运用): closing the loop around the year-end evaluation.

* :mod:`.rounds` — tracking rounds of cumulative progress against expected profiles, checked;
* :mod:`.projection` — the projected year-end value with a conformal interval learnt from
  past years' quarter-to-year ratios, and its backtest;
* :mod:`.track` — lights, projected points and grade, the early-warning list;
* :mod:`.rectification` — rectification lists from the feedback, the XLSX a unit returns,
  closing the loop in the next round;
* :mod:`.results_use` — the office's declared results-use table applied to the grades;
* :mod:`.year_end` — the in-year record against the year-end result;
* :mod:`.rules` — the office's declared rules (one small YAML file);
* :mod:`.show` — the results as labelled tables in one language (for the reports);
* :mod:`.context` — everything a tracking report shows, prepared in one call.

A round in a few calls::

    from perfkit.analyses import tracking as tk
    rounds = tk.load_tracking("datasets/demo_city/tracking", "datasets/demo_city/schemes/{year}_tracking.yaml")
    rules = tk.load_rules("notebooks/configs/demo_city_rules.yaml")
    tr = tk.track(rounds, "2025Q2", rules=rules.tracking, baseline=ev_2024)
    tr.warnings, tr.alerts, tr.units
"""
from perfkit.analyses.tracking.context import TrackingContext, prepare, round_end
from perfkit.analyses.tracking.projection import Calibration, backtest, calibrate, conformal_bounds, project_values
from perfkit.analyses.tracking.rectification import (
    SHEET,
    STATUSES,
    Closure,
    RectificationList,
    close_loop,
    complaint_rates,
    read_items,
    read_returned,
    rectification_list,
    write_rectification_xlsx,
)
from perfkit.analyses.tracking.results_use import ResultsUse, largest_remainder, read_staff, results_use, write_results_use_xlsx
from perfkit.analyses.tracking.rounds import Period, TrackingRounds, load_tracking, period, read_expected, tracking_rounds
from perfkit.analyses.tracking.rules import (
    OfficeRules,
    RectificationRules,
    ResultsUseRules,
    RulesError,
    TrackingRules,
    load_rules,
    rules_from_dict,
)
from perfkit.analyses.tracking.track import LIGHTS, WARNING_CODES, TrackingResult, track
from perfkit.analyses.tracking.year_end import YearEndRecord, year_end_record

__all__ = [
    "TrackingContext", "prepare", "round_end",
    "Calibration", "backtest", "calibrate", "conformal_bounds", "project_values",
    "SHEET", "STATUSES", "Closure", "RectificationList", "close_loop", "complaint_rates", "read_items", "read_returned",
    "rectification_list", "write_rectification_xlsx",
    "ResultsUse", "largest_remainder", "read_staff", "results_use", "write_results_use_xlsx",
    "Period", "TrackingRounds", "load_tracking", "period", "read_expected", "tracking_rounds",
    "OfficeRules", "RectificationRules", "ResultsUseRules", "RulesError", "TrackingRules", "load_rules",
    "rules_from_dict", "LIGHTS", "WARNING_CODES", "TrackingResult", "track", "YearEndRecord", "year_end_record",
]
