"""Treating the raw values: denominate, screen, impute, winsorise.

The steps run in the scheme's ``treatment.order`` on the quantitative value indicators
(survey, special-assessment and qualitative indicators are left as they are).
:func:`plan_treatment` resolves the scheme's treatment against the round once
(denominators, imputation groups); :func:`treat` applies it to one table of raw values or
to many replicates of it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfkit.errors import DataError, SchemeError
from perfkit.kernels import treat as treat_k
from perfkit.scheme.models import MethodSpec

__all__ = ["Denominator", "Treated", "TreatmentPlan", "plan_treatment", "treat"]


@dataclass(frozen=True, eq=False)
class Denominator:
    """One indicator divided by a denominator: ``value / by x scale``."""

    column: int  # position of the indicator among the scheme's leaves
    indicator: str
    by: str
    values: np.ndarray  # (n_units,)
    scale: float


@dataclass(frozen=True, eq=False)
class TreatmentPlan:
    """The scheme's treatment resolved against one round.

    Attributes
    ----------
    order
        The steps in the order they run.
    columns
        The scheme's leaves: the last axis of the values treated.
    quant
        Positions (in ``columns``) of the quantitative value indicators, the ones treated.
    denominators
        What is divided by what; ``None`` when the scheme does not denominate.
    min_availability
        The screen's threshold; ``None``: no screen.
    impute, impute_groups
        The imputation and the ``(n_units,)`` group of each unit (``by``); ``None``: none.
    winsorise
        The outlier treatment; ``None``: none.
    """

    order: tuple[str, ...]
    columns: tuple[str, ...]
    quant: np.ndarray
    denominators: tuple[Denominator, ...] | None
    min_availability: float | None
    impute: MethodSpec | None
    impute_groups: np.ndarray | None
    winsorise: MethodSpec | None


@dataclass(frozen=True, eq=False)
class Treated:
    """Treated values and what each step did.

    Attributes
    ----------
    values
        ``(..., n_units, n_columns)``.
    kept
        ``(..., n_units)``: units that passed the screen (all without one).
    availability
        ``(..., n_units)`` share of treated indicators with a value when screened, else ``None``.
    denominated
        ``(denominator, record)`` per indicator divided (:class:`perfkit.kernels.treat.DenominationRecord`).
    imputed
        ``(..., n_units, n_quant)``: cells filled in; ``None`` without imputation.
    winsorised
        Per replicate (leading axes flattened; one entry without leading axes), the
        :class:`perfkit.kernels.treat.WinsorisationRecord` of every column, positions
        relative to the kept units and the treated columns; ``None`` without winsorisation.
    """

    values: np.ndarray
    kept: np.ndarray
    availability: np.ndarray | None
    denominated: tuple[tuple[Denominator, treat_k.DenominationRecord], ...]
    imputed: np.ndarray | None
    winsorised: tuple[tuple[treat_k.WinsorisationRecord, ...], ...] | None


def plan_treatment(scheme, units: pd.DataFrame, values: pd.DataFrame) -> TreatmentPlan:
    """Resolve ``scheme``'s treatment against a round's validated units and values.

    Raises
    ------
    DataError
        A denominator is neither a units column nor an indicator of the values table.
    SchemeError
        Imputation ``by`` a column the units table does not have.
    """
    t = scheme.model.treatment
    leaves = scheme.leaves
    columns = tuple(leaves)
    quant = [j for j, n in enumerate(leaves.values()) if n.source == "values" and n.kind == "quantitative"]
    denominators = None
    if t.denominate and "denominate" in t.order:
        denominators = tuple(
            Denominator(column=j, indicator=columns[j], by=leaves[columns[j]].denominator,
                        values=_denominator(leaves[columns[j]].denominator, units, values),
                        scale=leaves[columns[j]].denominator_scale)
            for j in quant if leaves[columns[j]].denominator is not None)
    groups = None
    if t.impute is not None and "impute" in t.order and t.impute.params.get("by") is not None:
        by = t.impute.params["by"]
        if by not in units.columns:
            cols = ", ".join(c for c in units.columns if not c.startswith("_"))
            raise SchemeError(f"impute by {by!r}: the units table has no such column",
                              where=[scheme.file or "<scheme>", "treatment.impute.by"],
                              hint=f"units columns: {cols}")
        groups = units[by].to_numpy(dtype=object)
    return TreatmentPlan(order=tuple(t.order), columns=columns, quant=np.array(quant, dtype=int),
                         denominators=denominators, min_availability=t.screen, impute=t.impute,
                         impute_groups=groups, winsorise=t.winsorise)


def _denominator(name: str, units: pd.DataFrame, values: pd.DataFrame) -> np.ndarray:
    if name in units.columns:
        return pd.to_numeric(units[name], errors="coerce").to_numpy(dtype=float)
    d = values[values["indicator_id"] == name].set_index("unit_id")["value"]
    if d.empty:
        raise DataError(f"denominator {name!r} not found", where=["units", name],
                        hint="give it as a units column or as values rows")
    return d.reindex(list(units.index)).to_numpy(dtype=float)


def treat(plan: TreatmentPlan, raw: np.ndarray) -> Treated:
    """Apply ``plan`` to raw values ``(..., n_units, n_columns)``.

    Denomination and the screen work on all replicates at once; imputation and
    winsorisation (whose kernels take one table) go replicate by replicate, each on the
    units its own screen kept.
    """
    x = np.array(raw, dtype=float)
    lead, n_units = x.shape[:-2], x.shape[-2]
    q = plan.quant
    kept = np.ones((*lead, n_units), dtype=bool)
    availability = imputed = winsorised = None
    denominated = []
    for step in plan.order:
        if step == "denominate" and plan.denominators is not None:
            for d in plan.denominators:
                x[..., d.column], rec = treat_k.denominate(x[..., d.column], d.values, scale=d.scale)
                denominated.append((d, rec))
        elif step == "screen" and plan.min_availability is not None:
            availability = treat_k.availability(x[..., q])
            kept = treat_k.screen(x[..., q], min_availability=plan.min_availability)
        elif step == "impute" and plan.impute is not None:
            imputed = _impute(plan, x, kept)
        elif step == "winsorise" and plan.winsorise is not None:
            winsorised = _winsorise(plan, x, kept)
    return Treated(values=x, kept=kept, availability=availability, denominated=tuple(denominated),
                   imputed=imputed, winsorised=winsorised)


def _replicates(x: np.ndarray, kept: np.ndarray):
    """``(values, kept)`` of each replicate, as views into ``x``."""
    xs = x.reshape(-1, *x.shape[-2:])
    ks = np.broadcast_to(kept, x.shape[:-1]).reshape(-1, x.shape[-2])
    return zip(xs, ks)


def _impute(plan: TreatmentPlan, x: np.ndarray, kept: np.ndarray) -> np.ndarray:
    q = plan.quant
    flags = np.zeros((*x.shape[:-1], len(q)), dtype=bool)
    for (xr, kr), fr in zip(_replicates(x, kept), flags.reshape(-1, *flags.shape[-2:])):
        groups = plan.impute_groups[kr] if plan.impute_groups is not None else None
        new, mask = treat_k.impute(xr[np.ix_(kr, q)], method=plan.impute.method, groups=groups)
        xr[np.ix_(kr, q)] = new
        fr[kr] = mask
    return flags


def _winsorise(plan: TreatmentPlan, x: np.ndarray, kept: np.ndarray) -> tuple:
    q = plan.quant
    out = []
    for xr, kr in _replicates(x, kept):
        new, records = treat_k.winsorise(xr[np.ix_(kr, q)], **plan.winsorise.params)
        xr[np.ix_(kr, q)] = new
        out.append(tuple(records))
    return tuple(out)
