"""Build the Demo City's example audit log (SYNTHETIC: fictional appeals on fictional data).

    python datasets/demo_city_appeals/build.py [--out office.sqlite]

The 2025 round of the synthetic Demo City (``../demo_city``) is published, five appeals are
filed and decided, and the round is made final, with fixed timestamps, through the public
:mod:`perfkit.audit` API — the same calls the office's clerks make with ``perfkit audit``
and ``perfkit appeal``. The log records the published files by paths relative to itself,
so it stays valid wherever the repository lies.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from perfkit import audit  # noqa: E402 - the repository's perfkit, not an installed one

#: The appeals: (filed by, unit, indicator, value asked for, reason; decision, value decided, reason).
APPEALS = [
    ("市司法局 办公室", "gov_justice", "proposals", "1",
     "一件政协提案因系统统计口径被计为逾期，经核实已于规定期限内办结（附办结回执）。",
     "accepted", None, "经市政府办公室核实，该提案已按期办结，原统计有误。"),
    ("市发展和改革委员会 规划科", "gov_dev", "ft_gov_dev_03", "37",
     "第37个重大项目已于12月28日完成前期工作，批复文件未及时报送。",
     "accepted", None, "补充的批复文件真实有效，予以采纳。"),
    ("经济技术开发区 财政分局", "dist_devzone", "budget", "98.1",
     "年末追加预算已执行，应计入预算执行率。",
     "rejected", None, "市财政局复核确认原数据准确，追加预算不在考评口径内。"),
    ("中心区 财政局", "dist_central", "fiscal_revenue_growth", "3.6",
     "一笔一次性退库应计入上年度，剔除后增长率为3.6%。",
     "accepted", "3.0", "经市财政局复核，剔除退库因素后增长率为3.0%，部分采纳。"),
    ("市住房和城乡建设局", "gov_housing", "hotline", "96.5",
     "部分工单属其他部门职责，不应计入本单位办结率。",
     "rejected", None, "12345热线中心核实，相关工单已按规定派发本单位。"),
]

TIMES = iter([f"2026-03-0{d}T{h}+08:00" for d, h in [
    (2, "09:30:00"),                                                     # published
    (3, "10:12:00"), (3, "15:40:00"), (4, "09:05:00"), (4, "11:26:00"), (5, "16:02:00"),   # filed
    (9, "10:00:00"), (9, "10:20:00"), (9, "10:45:00"), (9, "14:30:00"), (9, "15:10:00"),   # decided
    (9, "17:00:00")]])                                                   # final


def build(out: Path) -> Path:
    if out.exists():
        out.unlink()
    demo = HERE.parent / "demo_city"
    with audit.open_log(out, create=True, office="示例市绩效办（虚构示例）") as log:
        log.clock = lambda: next(TIMES)
        audit.publish(log, demo / "schemes" / "2025.yaml", demo / "rounds" / "2025", round="2025",
                      who="市绩效办 考评科", note="2025年度绩效考评结果公示（虚构示例数据）")
        filed = [audit.file_appeal(log, round="2025", unit_id=u, indicator_id=i, value=v, reason=why, who=by)
                 for by, u, i, v, why, *_ in APPEALS]
        for a, (*_, decision, value, why) in zip(filed, APPEALS):
            audit.decide(log, a.seq, decision=decision, decided_by="市绩效考核委员会办公室 复核组", reason=why,
                         value=value)
        audit.finalise(log, "2025", who="市绩效办 考评科")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE / "office.sqlite"))
    print(build(Path(ap.parse_args().out)))
