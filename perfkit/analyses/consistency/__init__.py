"""Consistency between the special assessments (专项考核) and the comprehensive evaluation.

The office's questions (see the source document: 多头考核、重复考核、指标打架、迎检负担;
总量控制、准入许可、审核报备、退出机制、对接融合) as one review of a round::

    from perfkit.analyses import consistency as pc
    r = pc.review(ev, "special/registry.yaml", "special/schedule.csv", previous={...}, rng=1)
    r.to_frame()            # per special assessment: decision, agreement, discrimination, effect
    r.alerts                # committee-level findings (perfkit.results.Alert)
    r.recommendations       # keep / merge / fix / retire, each with its rule, threshold, evidence

The parts, each a frozen result with ``to_frame()`` and ``_repr_html_``:

* :mod:`.registry` — the registry as data: loading with located errors, checks, plan control;
* :mod:`.schedule` — the inspection schedule;
* :mod:`.overlap` — indicators measured through several channels (by id, declared, or by
  label similarity), double counting per unit, conflicting directions and targets;
* :mod:`.burden` — burden per unit, clashes, and a joint schedule (integer programme, HiGHS);
* :mod:`.agreement` — each special against the comprehensive score without it (Spearman and
  Kendall within categories with bootstrap intervals, weighted kappa, robust regression);
* :mod:`.discrimination` — ceiling share, coefficient of variation, year-on-year stability;
* :mod:`.effect` — ranks and grades with and without each special (the scheme comparison);
* :mod:`.rules` — the declared thresholds and actions; :mod:`.findings` — recommendations
  and alerts.
"""
from perfkit.analyses.consistency._evaluation import Without, root_shares, without
from perfkit.analyses.consistency._words import Bilingual
from perfkit.analyses.consistency.agreement import AgreementResult, agreement
from perfkit.analyses.consistency.burden import BurdenResult, JointSchedule, burden, clashes, joint_schedule
from perfkit.analyses.consistency.discrimination import DiscriminationResult, discrimination
from perfkit.analyses.consistency.effect import EffectResult, effect
from perfkit.analyses.consistency.overlap import OverlapResult, label_similarity, overlap
from perfkit.analyses.consistency.registry import (
    Issue,
    Registry,
    RegistryError,
    check_registry,
    load_registry,
)
from perfkit.analyses.consistency.review import ConsistencyReview, PlanControl, check, review
from perfkit.analyses.consistency.rules import ACTIONS, Rules
from perfkit.analyses.consistency.schedule import Schedule, check_schedule, load_schedule

__all__ = [
    "ACTIONS", "AgreementResult", "Bilingual", "BurdenResult", "ConsistencyReview", "DiscriminationResult",
    "EffectResult", "Issue", "JointSchedule", "OverlapResult", "PlanControl", "Registry", "RegistryError", "Rules",
    "Schedule", "Without", "agreement", "burden", "check", "check_registry", "check_schedule", "clashes",
    "discrimination", "effect", "joint_schedule", "label_similarity", "load_registry", "load_schedule", "overlap",
    "review", "root_shares", "without",
]
