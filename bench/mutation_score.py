"""Print `make mutants`' score: mutants killed / all mutants, and those that were not (not a test).

    .venv/bin/python bench/mutation_score.py mutants/mutmut-cicd-stats.json var/mutants-survivors.txt

The first file is `mutmut export-cicd-stats`' summary, the second `mutmut results`' list of
the mutants not killed. A mutant whose tests ran past mutmut's timeout counts as caught (the
change made the rules loop or crawl, and a test noticed). Target: at least 90%.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

TARGET = 90.0


def main(stats_path: str, survivors_path: str) -> int:
    stats = json.loads(Path(stats_path).read_text(encoding="utf-8"))
    caught = stats["killed"] + stats["timeout"]
    total = stats["total"]
    score = 100.0 * caught / total if total else 0.0
    lines = [
        line.strip()
        for line in Path(survivors_path).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    by_status = Counter(line.rsplit(": ", 1)[-1] for line in lines)
    print(f"变异测试：共 {total} 个变异体，杀死 {caught} 个（{score:.1f}%，目标 ≥ {TARGET:.0f}%）")
    print(
        "  " + "，".join(f"{status} {count}" for status, count in sorted(by_status.items()))
        if lines
        else "  全部杀死"
    )
    for line in lines:
        print(f"  {line}")
    print("查看某个变异：.venv/bin/mutmut show 名称")
    return 0 if score >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
