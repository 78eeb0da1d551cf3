"""Rule evaluation for a variant choice on a 50-rule service: median must stay under 1 ms.

Run: .venv/bin/python bench/municipal_services_rules.py
The rules are compiled once (as a published version's rules are, per process); each
evaluation parses the answers once and walks the rules in order until one holds.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cityhall.municipal_services.definition import compile_rules  # noqa: E402

PURPOSES = ["office", "shop", "warehouse", "cafe", "clinic"]
DISTRICTS = [
    "aviastroitelny",
    "vakhitovsky",
    "kirovsky",
    "moskovsky",
    "novo-savinovsky",
    "privolzhsky",
    "sovetsky",
]


def fifty_rules() -> list[dict]:
    rules = []
    for i in range(49):
        purpose = PURPOSES[i % len(PURPOSES)]
        low = (i // len(PURPOSES)) * 100
        rules.append(
            {
                "code": f"r{i}",
                "when": {
                    "and": [
                        {"==": [{"var": "purpose"}, purpose]},
                        {">=": [{"var": "area"}, low]},
                        {"<": [{"var": "area"}, low + 100]},
                        {"in": [{"var": "district"}, DISTRICTS[: 3 + i % 4]]},
                        {"!": {"var": "heritage_zone"}},
                    ]
                },
                "variant": f"v{i}",
                "decision": {"outcome": "approve", "mode": "auto", "reason": {"ru": "типовой"}},
            }
        )
    rules.append({"code": "general", "when": True, "variant": "general"})
    return rules


def main() -> int:
    compiled = compile_rules(fifty_rules())
    rnd = random.Random(6)
    answers = [
        {
            "purpose": rnd.choice(PURPOSES),
            "area": rnd.randint(0, 1200),
            "district": rnd.choice(DISTRICTS),
            "heritage_zone": rnd.random() < 0.2,
            "applicant_name": "ООО Ромашка",
            "floors": rnd.randint(1, 9),
        }
        for _ in range(2000)
    ]
    for a in answers[:200]:
        compiled.evaluate(a)
    samples = []
    for a in answers:
        start = time.perf_counter()
        compiled.evaluate(a)
        samples.append(time.perf_counter() - start)
    median_ms = statistics.median(samples) * 1000
    p95_ms = sorted(samples)[int(len(samples) * 0.95)] * 1000
    print(f"rules: {len(compiled)}, evaluations: {len(samples)}")
    print(f"variant choice median: {median_ms:.4f} ms, p95: {p95_ms:.4f} ms (target < 1 ms)")
    ok = median_ms < 1.0
    print("OK" if ok else "TOO SLOW")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
