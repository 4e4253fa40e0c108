"""Results use: the office's declared rule table applied to the grades, nothing invented."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfkit.analyses import tracking as tk
from perfkit.errors import DataError, PerfkitError

# tiny_points grades: U1, U2 excellent; U3, U5 good; U4 pass; U6 fail
TABLE = {"excellent_share": {"excellent": 0.29, "good": 0.15, "pass": 0.57, "fail": 0.07},
         "bonus_coefficient": {"excellent": 1.2, "good": 1.0, "pass": 0.8, "fail": 0.0},
         "commendation": ["excellent"]}
STAFF = pd.Series({"U1": 100, "U2": 20, "U3": 30, "U4": 100, "U5": 40, "U6": 100})


def _rules(**changes):
    return tk.rules_from_dict({"results_use": {**TABLE, **changes}}, file="rules.yaml")


def test_excellent_places_round_as_declared_at_the_boundary(tiny):
    ru = tk.results_use(tiny, _rules(), STAFF, pool=1000)
    places = ru.units["excellent_places"]
    # 0.29 x 100 is 28.999999999999996 in floating point: the office means 29
    assert places["U1"] == 29
    assert places["U2"] == 5            # 0.29 x 20 = 5.8, rounded down
    assert places["U3"] == 4            # 0.15 x 30 = 4.5, rounded down
    assert places["U5"] == 6            # 0.15 x 40 = 6
    assert places["U4"] == 57           # 0.57 x 100 = 56.99999999999999
    assert places["U6"] == 7            # 0.07 x 100 = 7.000000000000001
    up = tk.results_use(tiny, _rules(rounding="ceil"), STAFF).units["excellent_places"]
    half = tk.results_use(tiny, _rules(rounding="round"), STAFF).units["excellent_places"]
    assert (up["U1"], up["U2"], up["U3"], up["U6"]) == (29, 6, 5, 7)  # 7.000000000000001 does not ceil to 8
    assert (half["U2"], half["U3"]) == (6, 5)                          # 5.8 -> 6, 4.5 -> 5 (half up)


def test_bonus_shares_and_amounts_by_hand(tiny):
    ru = tk.results_use(tiny, _rules(), STAFF, pool=1000)
    u = ru.units
    # weights: coefficient x staff = 120, 24, 30 (U3), 80 (U4), 40 (U5), 0 (U6); total 294
    assert u["bonus_weight"].to_dict() == {"U1": 120, "U2": 24, "U3": 30, "U4": 80, "U5": 40, "U6": 0}
    assert u.loc["U1", "bonus_share"] == pytest.approx(120 / 294)
    # 1000 x w / 294 in fen: 40816.33, 8163.27, 10204.08, 27210.88, 13605.44 -> floors add up to 99998;
    # the 2 fen left go to the largest remainders (U4 .88, U5 .44)
    assert u["bonus_amount"].to_dict() == {"U1": 408.16, "U2": 81.63, "U3": 102.04, "U4": 272.11, "U5": 136.06,
                                          "U6": 0.0}
    assert ru.totals()["bonus_amount"] == 1000.0
    assert list(ru.commendation.index) == ["U1", "U2"]
    by_unit = tk.results_use(tiny, _rules(bonus_basis="unit"), STAFF, pool=1000).units
    assert by_unit.loc["U1", "bonus_share"] == pytest.approx(1.2 / (1.2 * 2 + 1.0 * 2 + 0.8))


@given(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=40).filter(lambda w: sum(w) > 0),
       st.integers(1, 10_000_000))
def test_largest_remainder_adds_up_to_the_pool_and_stays_within_a_fen(weights, fen):
    pool = fen / 100
    w = np.array(weights)
    out = tk.largest_remainder(w, pool)
    assert round(out.sum() * 100) == fen
    assert np.all(np.abs(out - pool * (w / w.sum())) <= 0.01 + 1e-9)


def test_with_no_rule_table_nothing_is_computed(tiny):
    with pytest.raises(PerfkitError, match="no results-use rule table is declared") as e:
        tk.results_use(tiny, tk.rules_from_dict({}, file="rules.yaml"), STAFF)
    assert e.value.where == ("rules.yaml", "results_use")
    assert tk.load_rules(None).results_use is None


def test_a_table_whose_shares_miss_a_grade_is_a_located_error(tiny):
    shares = {k: v for k, v in TABLE["excellent_share"].items() if k != "pass"}
    coefs = {k: v for k, v in TABLE["bonus_coefficient"].items() if k != "pass"}
    with pytest.raises(tk.RulesError, match="no entry for grade 'pass'") as e:
        tk.results_use(tiny, _rules(excellent_share=shares, bonus_coefficient=coefs), STAFF)
    assert e.value.where == ("rules.yaml", "results_use.excellent_share")


def test_a_table_naming_a_grade_the_scheme_lacks_is_a_located_error(tiny):
    shares = {**TABLE["excellent_share"], "excelent": 0.3}
    coefs = {**TABLE["bonus_coefficient"], "excelent": 1.0}
    with pytest.raises(tk.RulesError, match="'excelent' is not a grade of the scheme \\(did you mean 'excellent'\\?\\)") as e:
        tk.results_use(tiny, _rules(excellent_share=shares, bonus_coefficient=coefs), STAFF)
    assert e.value.where[1] == "results_use.excellent_share.excelent"


@pytest.mark.parametrize("table, path, message", [
    ({"excellent_share": {"excellent": 1.2}, "bonus_coefficient": {"excellent": 1}}, "results_use.excellent_share",
     "between 0 and 1"),
    ({"excellent_share": {"excellent": 0.2, "good": 0.1}, "bonus_coefficient": {"excellent": 1}}, "results_use",
     "grade 'good' has no entry in bonus_coefficient"),
    ({"excellent_share": {"excellent": 0.2}, "bonus_coefficient": {"excellent": -1}}, "results_use.bonus_coefficient",
     "must not be negative"),
    ({"excellent_share": {"excellent": 0.2}, "bonus_coefficient": {"excellent": 1}, "rounding": "nearest"},
     "results_use.rounding", "Input should be"),
    ({"excellent_share": {"excellent": 0.2}}, "results_use.bonus_coefficient", "required key is missing"),
    ({"excellent_share": {"excellent": 0.2}, "bonus_coefficient": {"excellent": 1}, "commendation": ["good"]},
     "results_use", "commendation names grade 'good'"),
])
def test_a_malformed_rule_table_is_refused_with_its_yaml_path(table, path, message):
    with pytest.raises(tk.RulesError, match=message) as e:
        tk.rules_from_dict({"results_use": table}, file="rules.yaml")
    assert e.value.where == ("rules.yaml", path)


def test_the_staff_table_is_checked(tmp_path, tiny):
    path = tmp_path / "staff.csv"
    pd.DataFrame({"unit_id": ["U1", "U2", "U3", "U4", "U5", "U9"], "staff": [1, 2, 3, 4, 5, 6]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="unknown unit 'U9'") as e:
        tk.read_staff(path, tiny.results.index)
    assert e.value.where[-2:] == ("row 7", "unit_id")
    pd.DataFrame({"unit_id": ["U1", "U2"], "staff": ["12", "3.5"]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="'3.5' is not a whole number"):
        tk.read_staff(path, tiny.results.index)
    pd.DataFrame({"unit_id": ["U1", "U2"], "staff": [12, 3]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="no staff number for unit 'U3' \\(and 3 more\\)"):
        tk.read_staff(path, tiny.results.index)


def test_the_demo_table_and_its_workbook(tmp_path, annual, office_rules, demo_path):
    ru = tk.results_use(annual("2025"), office_rules, demo_path / "follow_up" / "staff.csv")
    u = ru.units
    assert ru.pool == 30_000_000 and ru.totals()["bonus_amount"] == 30_000_000
    assert (u.loc[u["grade"] == "excellent", "excellent_share"] == 0.2).all()
    assert set(ru.commendation.index) == set(u.index[u["grade"] == "excellent"])
    path = tk.write_results_use_xlsx(ru, tmp_path / "results_use.xlsx")
    ws = openpyxl.load_workbook(path)["结果运用 Results use"]
    header = [c.value for c in ws[1]]
    assert "优秀名额 Excellent places" in header and "绩效奖励\uff08元\uff09 Bonus (yuan)" in header
