"""Search quality and latency of the catalogue search.

Quality: the share of the colloquial queries in bench/search_queries.json (and the held-out
set, bench/search_queries_holdout.json) whose item is among the first three results, on the
demo catalogue and again at each catalogue size. Latency: every query of both sets, several
rounds, at 1k, 10k and 100k items (synthetic items added to the demo catalogue), beside a
bare indexed select on the same database as the baseline; plus the index's build time and
memory. Targets: top-3 share >= 0.9 on the demo catalogue; p95 at 100k within 2x of 1k.

    .venv/bin/python bench/search.py            # sizes 1000,10000,100000
    .venv/bin/python bench/search.py --quick    # sizes 1000,5000, one round (a smoke run)
    .venv/bin/python bench/search.py --misses   # also list the main set's misses
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    ROOT,
    demo_catalogue_load,
    django_setup,
    percentile,
    rss_mb,
    summary_ms,
    synthetic_fill,
)

QUALITY_TARGET = 0.9
GROWTH_TARGET = 2.0


def load_queries(name: str) -> list[dict[str, str]]:
    path = ROOT / "bench" / name
    queries: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return queries


def quality(index: Any, queries: list[dict[str, str]]) -> dict[str, Any]:
    from citygate.catalog.search import SearchIndex

    assert isinstance(index, SearchIndex)
    found: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    misses: list[dict[str, object]] = []
    for query in queries:
        names = [hit.doc.name for hit in index.search(query["q"], limit=3).hits]
        asked[query["kind"]] += 1
        if query["expect"] in names:
            found[query["kind"]] += 1
        else:
            misses.append({"q": query["q"], "expect": query["expect"], "got": names})
    return {
        "top3": round(sum(found.values()) / max(1, len(queries)), 3),
        "by_kind": {kind: round(found[kind] / asked[kind], 3) for kind in sorted(asked)},
        "misses": misses,
    }


def latency(queries: list[str], rounds: int) -> list[float]:
    from citygate.catalog.api import SearchIn, search_run

    timings: list[float] = []
    for _round in range(rounds):
        for text in queries:
            params = SearchIn(q=text, limit=10, typing=True)
            started = time.perf_counter()
            search_run(params)
            timings.append(time.perf_counter() - started)
    return timings


def baseline(codes: list[str], count: int) -> list[float]:
    """A bare indexed select on the same database: one item by its unique code."""
    from citygate.catalog.models import ServiceItem

    timings: list[float] = []
    for number in range(count):
        code = codes[number % len(codes)]
        started = time.perf_counter()
        ServiceItem.objects.filter(code=code).values_list("pk", flat=True).first()
        timings.append(time.perf_counter() - started)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    sizes = [1000, 5000] if args.quick else [int(s) for s in args.sizes.split(",")]
    rounds = 1 if args.quick else args.rounds

    django_setup("search")
    from citygate.catalog.models import ServiceItem
    from citygate.catalog.search import current_index

    rng = random.Random(20200527)
    demo_size = demo_catalogue_load(rng)
    main_set = load_queries("search_queries.json")
    holdout = load_queries("search_queries_holdout.json")

    index = current_index()
    report: dict[str, Any] = {
        "demo_items": demo_size,
        "queries": {"main": len(main_set), "holdout": len(holdout)},
        "quality_demo": {
            "main": quality(index, main_set),
            "holdout": quality(index, holdout),
        },
        "sizes": [],
    }
    texts = [q["q"] for q in main_set + holdout]
    demo_codes = list(ServiceItem.objects.values_list("code", flat=True)[:500])

    sizes_report: list[dict[str, Any]] = []
    for size in sizes:
        total = synthetic_fill(size, rng)
        before = rss_mb()
        started = time.perf_counter()
        index = current_index()
        build_s = time.perf_counter() - started
        latency(texts[:20], 1)  # warm the caches of the analyser
        timings = latency(texts, rounds)
        base = baseline(demo_codes, len(timings))
        size_quality = quality(index, main_set)
        sizes_report.append(
            {
                "items": total,
                "build_s": round(build_s, 2),
                "index_mb": round(rss_mb() - before, 1),
                "terms": len(index.postings),
                "search": summary_ms(timings),
                "baseline_select": summary_ms(base),
                "p95_ratio_to_select": round(
                    percentile(timings, 0.95) / max(percentile(base, 0.95), 1e-9), 1
                ),
                "top3_main": size_quality["top3"],
            }
        )
    report["sizes"] = sizes_report

    first, last = sizes_report[0], sizes_report[-1]
    growth = last["search"]["p95_ms"] / max(first["search"]["p95_ms"], 1e-9)
    report["p95_growth"] = {"from": first["items"], "to": last["items"], "ratio": round(growth, 2)}

    demo_quality = report["quality_demo"]["main"]["top3"]
    print_report(report, show_misses=args.misses)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    ok = demo_quality >= QUALITY_TARGET and (args.quick or growth <= GROWTH_TARGET)
    return 0 if ok else 1


def print_report(report: dict[str, Any], *, show_misses: bool) -> None:
    quality_demo = report["quality_demo"]
    assert isinstance(quality_demo, dict)
    print(f"demo catalogue: {report['demo_items']} items; queries {report['queries']}")
    for name, result in quality_demo.items():
        print(f"  top-3 share ({name}): {result['top3']}  by kind: {result['by_kind']}")
    print("size      build_s  index_MB  terms    p50_ms  p95_ms  p99_ms  select_p95  ratio  top3")
    sizes = report["sizes"]
    assert isinstance(sizes, list)
    for row in sizes:
        print(
            f"{row['items']:<9} {row['build_s']:<8} {row['index_mb']:<9} {row['terms']:<8} "
            f"{row['search']['p50_ms']:<7} {row['search']['p95_ms']:<7} "
            f"{row['search']['p99_ms']:<7} {row['baseline_select']['p95_ms']:<11} "
            f"{row['p95_ratio_to_select']:<6} {row['top3_main']}"
        )
    growth = report["p95_growth"]
    assert isinstance(growth, dict)
    print(
        f"p95 growth {growth['from']} -> {growth['to']} items: {growth['ratio']}x "
        f"(target <= {GROWTH_TARGET}x)"
    )
    if show_misses:
        misses = quality_demo["main"]["misses"]
        by_item: defaultdict[str, list[str]] = defaultdict(list)
        for miss in misses:
            by_item[miss["expect"]].append(f"{miss['q']} -> {miss['got']}")
        for expect, lines in sorted(by_item.items()):
            print(f"  MISS {expect}")
            for line in lines:
                print(f"      {line}")


if __name__ == "__main__":
    sys.exit(main())
