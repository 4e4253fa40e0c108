"""Build ``scheme.yaml`` and the round folder from COINr's ASEM example data.

Run from the repository root:  python datasets/real/asem/prepare.py

Inputs (copied unchanged from COINr, see README.md): ``asem_data.csv`` (2018),
``asem_meta.csv`` (COINr ``iMeta``) and ``asem_panel.csv`` (2018-2022, artificial beyond
2018). Outputs:

* ``round/units.csv``: unit_id (ISO3), name_zh, name_en, category (``country``), the four
  group columns and the four denominator columns (constant over the panel years);
* ``round/values.csv``: round (2018-2022), unit_id, indicator_id, value, one row per
  non-missing cell of the panel (missing cells are left out);
* ``scheme.yaml``: COINr's example index (``build_example_coin()``) as a perfkit
  composite scheme, generated from ``asem_meta.csv`` (levels, parents, weights,
  directions, denominators) plus the Chinese labels below.

Deterministic: running it twice gives identical files.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

HERE = Path(__file__).parent
GROUPS = ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"]
DENOMINATORS = ["Area", "Energy", "GDP", "Population"]

NAMES_ZH = {
    "AUT": "奥地利", "BEL": "比利时", "BGR": "保加利亚", "HRV": "克罗地亚", "CYP": "塞浦路斯",
    "CZE": "捷克", "DNK": "丹麦", "EST": "爱沙尼亚", "FIN": "芬兰", "FRA": "法国", "DEU": "德国",
    "GRC": "希腊", "HUN": "匈牙利", "IRL": "爱尔兰", "ITA": "意大利", "LVA": "拉脱维亚",
    "LTU": "立陶宛", "LUX": "卢森堡", "MLT": "马耳他", "NLD": "荷兰", "NOR": "挪威", "POL": "波兰",
    "PRT": "葡萄牙", "ROU": "罗马尼亚", "SVK": "斯洛伐克", "SVN": "斯洛文尼亚", "ESP": "西班牙",
    "SWE": "瑞典", "CHE": "瑞士", "GBR": "英国", "AUS": "澳大利亚", "BGD": "孟加拉国",
    "BRN": "文莱", "KHM": "柬埔寨", "CHN": "中国", "IND": "印度", "IDN": "印度尼西亚", "JPN": "日本",
    "KAZ": "哈萨克斯坦", "KOR": "韩国", "LAO": "老挝", "MYS": "马来西亚", "MNG": "蒙古国",
    "MMR": "缅甸", "NZL": "新西兰", "PAK": "巴基斯坦", "PHL": "菲律宾", "RUS": "俄罗斯",
    "SGP": "新加坡", "THA": "泰国", "VNM": "越南",
}

LABELS_ZH = {
    # indicators
    "LPI": "物流绩效指数", "Flights": "国际航班客座运力", "Ship": "班轮运输连通性指数",
    "Bord": "边境口岸数量", "Elec": "电力贸易", "Gas": "天然气贸易", "ConSpeed": "平均网络连接速度",
    "Cov4G": "4G网络人口覆盖率", "Goods": "货物贸易", "Services": "服务贸易", "FDI": "外国直接投资",
    "PRemit": "个人汇款(收付)", "ForPort": "外国证券投资资产与负债", "Embs": "使馆网络",
    "IGOs": "参加政府间国际组织", "UNVote": "联合国投票一致性", "CostImpEx": "进出口成本",
    "Tariff": "平均关税税率", "TBTs": "技术性贸易壁垒", "TIRcon": "《TIR公约》缔约方",
    "RTAs": "区域贸易协定", "Visa": "免签或落地签国家数", "StMob": "高等教育国际学生流动",
    "Research": "国际合作研究成果", "Pat": "含外国共同发明人的专利", "CultServ": "文化服务贸易",
    "CultGood": "文化产品贸易", "Tourist": "入境游客人数", "MigStock": "移民存量",
    "Lang": "共同语言使用者", "Renew": "可再生能源占终端能源消费比重", "PrimEner": "单位GDP一次能源消耗",
    "CO2": "人均二氧化碳排放", "MatCon": "人均国内物质消耗", "Forest": "森林净损失",
    "Poverty": "国际贫困线以下人口比例", "Palma": "帕尔玛指数", "TertGrad": "高等教育毕业生比例",
    "FreePress": "新闻自由度", "TolMin": "对少数群体的包容度", "NGOs": "国际非政府组织秘书处数量",
    "CPI": "清廉指数", "FemLab": "女性劳动参与率", "WomParl": "女性议员比例",
    "PubDebt": "公共债务占GDP比重", "PrivDebt": "私人债务占GDP比重", "GDPGrow": "人均GDP增长率",
    "RDExp": "研发支出占GDP比重", "NEET": "未就业未上学未培训青年比例",
    # aggregates
    "Physical": "基础设施互联", "ConEcFin": "经济金融互联", "Political": "政治互联",
    "Instit": "制度互联", "P2P": "人文交流", "Environ": "环境可持续", "Social": "社会可持续",
    "SusEcFin": "经济金融可持续", "Conn": "互联互通", "Sust": "可持续性", "Index": "可持续互联互通指数",
    # groups and denominators
    "GDP_group": "GDP分组", "GDPpc_group": "人均GDP分组", "Pop_group": "人口分组",
    "EurAsia_group": "欧洲/亚洲", "Area": "国土面积", "Energy": "能源消费量", "GDP": "国内生产总值",
    "Population": "人口",
}


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


def build_scheme(meta: pd.DataFrame) -> dict:
    """COINr's iMeta -> a perfkit composite scheme (nested structure, parents first)."""
    rows = {r.iCode: r for r in meta.itertuples(index=False)}
    kids: dict[str, list[str]] = {}
    for r in meta.itertuples(index=False):
        if r.Type in ("Indicator", "Aggregate") and isinstance(r.Parent, str):
            kids.setdefault(r.Parent, []).append(r.iCode)

    def node(code: str) -> dict:
        r = rows[code]
        out: dict = {"id": code, "label": {"zh": LABELS_ZH[code], "en": r.iName}}
        if r.Type == "Aggregate":
            out["aggregate"] = "arithmetic"
            if code != "Index":
                out["weight"] = _num(r.Weight)
            out["children"] = [node(c) for c in kids[code]]
            return out
        out["weight"] = _num(r.Weight)
        out["unit"] = str(r.Unit)
        if r.Direction < 0:
            out["direction"] = "lower"
        if isinstance(r.Denominator, str):
            out["denominator"] = r.Denominator
        out["normalise"] = {"method": "minmax", "lo": 0, "hi": 100}
        return out

    return {
        "id": "asem_sci",
        "label": {"zh": "亚欧会议可持续互联互通指数(COINr示例)",
                  "en": "ASEM Sustainable Connectivity Index (COINr example)"},
        "paradigm": "composite",
        "version": "COINr 1.1.14 build_example_coin()",
        "source": ("COINr R package v1.1.14 (MIT), data ASEM_iData / ASEM_iMeta / ASEM_iData_p; "
                   "JRC ASEM Sustainable Connectivity Portal. See README.md"),
        "categories": [{"id": "country", "label": {"zh": "国家", "en": "Countries"}}],
        "denominators": DENOMINATORS,
        "treatment": {
            "denominate": True,
            "impute": {"method": "mean", "by": "EurAsia_group"},
            "screen": 0.9,
            "winsorise": {"method": "coinr", "skew_max": 2.0, "kurt_max": 3.5, "max_points": 5},
        },
        "structure": node("Index"),
    }


def main() -> None:
    meta = pd.read_csv(HERE / "asem_meta.csv")
    panel = pd.read_csv(HERE / "asem_panel.csv")
    indicators = meta.loc[meta["Type"] == "Indicator", "iCode"].tolist()

    first = panel[panel["Time"] == panel["Time"].min()]
    units = pd.DataFrame({
        "unit_id": first["uCode"],
        "name_zh": first["uCode"].map(NAMES_ZH),
        "name_en": first["uName"],
        "category": "country",
    })
    for col in GROUPS + DENOMINATORS:
        units[col] = first[col].to_numpy()

    long = panel.melt(id_vars=["uCode", "Time"], value_vars=indicators,
                      var_name="indicator_id", value_name="value").dropna(subset=["value"])
    long["round"] = long["Time"].astype(int).astype(str)
    long["order"] = long["indicator_id"].map({c: i for i, c in enumerate(indicators)})
    long = long.sort_values(["round", "uCode", "order"])
    values = long.rename(columns={"uCode": "unit_id"})[["round", "unit_id", "indicator_id", "value"]]

    out = HERE / "round"
    out.mkdir(exist_ok=True)
    units.to_csv(out / "units.csv", index=False, lineterminator="\n")
    values.to_csv(out / "values.csv", index=False, lineterminator="\n")
    header = ("# Generated by prepare.py from asem_meta.csv (COINr iMeta): do not edit by hand.\n"
              "# COINr build_example_coin(): denominate, impute by EurAsia_group mean, screen units\n"
              "# at 90% data availability, treat outliers (COINr defaults: |skew| < 2 or kurtosis < 3.5,\n"
              "# winsorise up to 5 points, else log), min-max 0-100, weighted arithmetic means.\n")
    text = yaml.safe_dump(build_scheme(meta), allow_unicode=True, sort_keys=False, width=120)
    (HERE / "scheme.yaml").write_text(header + text, encoding="utf-8")


if __name__ == "__main__":
    main()
