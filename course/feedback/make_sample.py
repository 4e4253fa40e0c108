"""Write the SYNTHETIC sample answers of the course evaluation (course/feedback/sample/).

30 trainees (12 from the performance office, 9 from lead units, 9 from evaluated units)
rate each of the nine modules on five items (1-5), and the trainer records the share of
each module's exercises the trainees got right at the first check. Seeded: running it again
writes the same files (a test checks it). No real trainee's answer is in them.

    python course/feedback/make_sample.py [OUT_DIR]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
GROUPS = {"office": 12, "collector": 9, "unit": 9}
ITEMS = ["q1_clarity", "q2_relevance", "q3_pace", "q4_exercises", "q5_overall"]
ROUND = "sample"


def main(out: Path) -> None:
    rng = np.random.default_rng(20181026)
    course = yaml.safe_load((HERE.parent / "course.yaml").read_text(encoding="utf-8"))
    day = {s["module"]: f"day{d}" for d, dd in enumerate(course["agenda"], 1) for s in dd["sessions"] if "module" in s}
    mods = course["modules"]
    units = pd.DataFrame({"round": ROUND, "unit_id": [m["id"] for m in mods],
                          "name_zh": [f"模块{int(m['id'][1:])} {m['title']['zh']}" for m in mods],
                          "name_en": [f"Module {int(m['id'][1:])}: {m['title']['en']}" for m in mods],
                          "category": [day[m["id"]] for m in mods]})
    quality = rng.normal(0.0, 0.35, len(mods))  # each module's latent quality
    rows = []
    rid = 0
    for g, n in GROUPS.items():
        for _ in range(n):
            rid += 1
            leniency = rng.normal(0.0, 0.3)
            for m, q in zip(mods, quality):
                base = 4.2 + q + leniency
                answers = np.clip(np.rint(base + rng.normal(0.0, 0.6, len(ITEMS))), 1, 5).astype(int)
                rows.append({"round": ROUND, "respondent_id": f"T{rid:02d}", "unit_id": m["id"],
                             "respondent_group": g, **dict(zip(ITEMS, answers.tolist()))})
    survey = pd.DataFrame(rows)
    right = np.clip(80 + 20 * quality + rng.normal(0, 5, len(mods)), 30, 100).round(1)
    values = pd.DataFrame({"round": ROUND, "unit_id": units["unit_id"], "indicator_id": "exercises",
                           "value": right, "collector_id": "trainer"})
    (out / "values").mkdir(parents=True, exist_ok=True)
    units.to_csv(out / "units.csv", index=False, lineterminator="\n")
    survey.to_csv(out / "survey.csv", index=False, lineterminator="\n")
    values.to_csv(out / "values" / "trainer.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "sample")
