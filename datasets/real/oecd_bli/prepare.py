"""Build the round folder (units.csv, values.csv) from OECD's long export.

Run from the repository root:  python datasets/real/oecd_bli/prepare.py
Keeps the rows with INEQUALITY == "TOT" (totals), the 36 member countries ("OECD - Total"
is an average, not a unit, and is left out), and the 24 indicators.
"""
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent

NAMES_ZH = {
    "AUS": "澳大利亚", "AUT": "奥地利", "BEL": "比利时", "BRA": "巴西", "CAN": "加拿大", "CHE": "瑞士",
    "CHL": "智利", "CZE": "捷克", "DEU": "德国", "DNK": "丹麦", "ESP": "西班牙", "EST": "爱沙尼亚",
    "FIN": "芬兰", "FRA": "法国", "GBR": "英国", "GRC": "希腊", "HUN": "匈牙利", "IRL": "爱尔兰",
    "ISL": "冰岛", "ISR": "以色列", "ITA": "意大利", "JPN": "日本", "KOR": "韩国", "LUX": "卢森堡",
    "MEX": "墨西哥", "NLD": "荷兰", "NOR": "挪威", "NZL": "新西兰", "POL": "波兰", "PRT": "葡萄牙",
    "RUS": "俄罗斯", "SVK": "斯洛伐克", "SVN": "斯洛文尼亚", "SWE": "瑞典", "TUR": "土耳其", "USA": "美国",
}


def main() -> None:
    raw = pd.read_csv(HERE / "oecd_bli_2015.csv", thousands=",", encoding="utf-8-sig")
    tot = raw[(raw["INEQUALITY"] == "TOT") & (raw["LOCATION"] != "OECD")]
    units = (tot[["LOCATION", "Country"]].drop_duplicates().sort_values("LOCATION")
             .rename(columns={"LOCATION": "unit_id", "Country": "name_en"}))
    units["name_zh"] = units["unit_id"].map(NAMES_ZH)
    units["category"] = "country"
    values = tot[["LOCATION", "INDICATOR", "Value"]].rename(
        columns={"LOCATION": "unit_id", "INDICATOR": "indicator_id", "Value": "value"})
    values = values.sort_values(["unit_id", "indicator_id"])
    out = HERE / "round"
    out.mkdir(exist_ok=True)
    units[["unit_id", "name_zh", "name_en", "category"]].to_csv(out / "units.csv", index=False, lineterminator="\n")
    values.to_csv(out / "values.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
