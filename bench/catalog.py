"""Throughput of the search API and of an item's guide page, against the smallest Django view.

For each catalogue size (synthetic items added to the demo catalogue), the site is served by
granian (WSGI, the production server) and driven by wrk: first /bench/hello (a view that
returns five bytes: the baseline), then the search API with the benchmark's colloquial
queries in turn, then guide pages of the demo items in turn. It reports requests per second,
each endpoint's ratio to the baseline (target: at least 0.5), and the database queries per
request measured in process (which must not grow with the catalogue).

    .venv/bin/python bench/catalog.py                 # sizes 1000,10000
    .venv/bin/python bench/catalog.py --sizes 1000,100000 --duration 10
    .venv/bin/python bench/catalog.py --quick         # one size, short runs (a smoke run)

Needs wrk (`make bench-deps` installs it from Debian's packages).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_DIR, ROOT, demo_catalogue_load, django_setup, synthetic_fill

RATIO_TARGET = 0.5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(Path(sys.executable).parent / "granian"),
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--log-level", "warning",
        "citygate.wsgi:application",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - our own argv
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/hello", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def warm_indexes(base: str, search_paths: list[str], *, workers: int) -> None:
    """Waits until every worker has built its search index (at 100k items, about 40 s each).

    Sends rounds of concurrent searches, more than there are workers, until a whole round
    answers fast: the connections of a round spread over the workers, so by then each has
    answered some and holds its index.
    """
    size = max(4, workers * 4)
    deadline = time.monotonic() + 900

    def ask(path: str) -> float:
        started = time.monotonic()
        urllib.request.urlopen(base + path, timeout=600).read()  # noqa: S310 - loopback
        return time.monotonic() - started

    with ThreadPoolExecutor(max_workers=size) as pool:
        while time.monotonic() < deadline:
            took = list(pool.map(ask, search_paths[:size]))
            if max(took) < 1.0:
                return
    raise RuntimeError("the workers did not build their search indexes in time")


def returning_visitor_cookie(base: str, path: str) -> str:
    """The CSRF cookie a browser would send back after its first page.

    wrk keeps no cookies; without this every request would be a first visit, and each page
    would mint a new CSRF secret, which no returning browser costs.
    """
    with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310 - loopback
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("csrftoken="):
                return str(header.split(";", 1)[0])
    raise RuntimeError("the page set no CSRF cookie")


def wrk(
    url: str, paths_file: Path | None, *, duration: int, connections: int, cookie: str = ""
) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    env = dict(os.environ)
    if paths_file is not None:
        command += ["-s", str(ROOT / "bench" / "rotate.lua")]
        env["WRK_PATHS"] = str(paths_file)
    output = subprocess.run(  # noqa: S603 - our own argv
        [*command, url], capture_output=True, text=True, env=env, check=True
    )
    text = output.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": round(rate, 1),
        "p99_ms": round(float(p99.group(1)) * scale[p99.group(2)], 2) if p99 else 0.0,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    ordered = sorted(runs, key=lambda run: run["rps"])
    middle = dict(ordered[len(ordered) // 2])
    middle["non_2xx"] = sum(run["non_2xx"] for run in runs)
    return middle


def query_counts(search_paths: list[str], item_paths: list[str]) -> dict[str, int]:
    """Database queries of one search and one guide page, measured in this process."""
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from citygate.catalog.models import LOCAL_STATE
    from citygate.core.pagecache import pages_forget

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for name, path in (("search", search_paths[0]), ("item", item_paths[0])):
        client.get(path)  # the first search of a process builds its index
        # Counted with nothing cached (the catalogue's state is read, the page rendered): the
        # most a request costs.
        caches["default"].clear()
        pages_forget()
        LOCAL_STATE.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(queries)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="granian's blocking threads")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: run `make bench-deps`", file=sys.stderr)
        return 2
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    duration = 2 if args.quick else args.duration
    if args.quick:
        args.rounds = 1

    django_setup("catalog")
    from citygate.catalog.models import ServiceItem

    rng = random.Random(20200527)
    demo_catalogue_load(rng)
    queries = json.loads((ROOT / "bench" / "search_queries.json").read_text(encoding="utf-8"))
    search_paths = [
        "/api/v1/services/search?" + urllib.parse.urlencode({"q": q["q"], "limit": 10})
        for q in queries
    ]
    codes = list(
        ServiceItem.objects.exclude(code__startswith="SYN-").values_list("code", flat=True)
    )
    item_paths = [f"/services/item/{urllib.parse.quote(code)}/" for code in codes]
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    search_file = BENCH_DIR / "search_paths.txt"
    search_file.write_text("\n".join(search_paths) + "\n", encoding="utf-8")
    item_file = BENCH_DIR / "item_paths.txt"
    item_file.write_text("\n".join(item_paths) + "\n", encoding="utf-8")

    rows: list[dict[str, Any]] = []
    for size in sizes:
        total = synthetic_fill(size, rng)
        counts = query_counts(search_paths, item_paths)
        port = free_port()
        server = serve(port, args.workers, args.threads)
        try:
            base = f"http://127.0.0.1:{port}"
            # Every worker builds its index on its first search (at 100k items, tens of
            # seconds) and caches each guide page the first time it renders it: warm both
            # before measuring.
            warm_indexes(base, search_paths, workers=args.workers)
            cookie = returning_visitor_cookie(base, item_paths[0])
            wrk(base + "/", item_file, duration=max(3, duration), connections=4, cookie=cookie)
            runs: dict[str, list[dict[str, float]]] = {"hello": [], "search": [], "item": []}
            # The targets alternate round by round, so that a slow moment of the machine
            # lands on all of them alike; each figure is the median of its rounds.
            for _ in range(args.rounds):
                runs["hello"].append(
                    wrk(
                        base + "/bench/hello",
                        None,
                        duration=duration,
                        connections=args.connections,
                        cookie=cookie,
                    )
                )
                for name, paths in (("search", search_file), ("item", item_file)):
                    runs[name].append(
                        wrk(
                            base + "/",
                            paths,
                            duration=duration,
                            connections=args.connections,
                            cookie=cookie,
                        )
                    )
            hello, search, item = (median_run(runs[name]) for name in ("hello", "search", "item"))
        finally:
            server.terminate()
            server.wait(timeout=30)
        rows.append(
            {
                "items": total,
                "hello": hello,
                "search": search,
                "item": item,
                "search_ratio": round(search["rps"] / max(hello["rps"], 1e-9), 2),
                "item_ratio": round(item["rps"] / max(hello["rps"], 1e-9), 2),
                "queries_per_request": counts,
            }
        )

    print(
        f"granian WSGI, {args.workers} workers x {args.threads} threads; "
        f"wrk -t2 -c{args.connections} -d{duration}s; median of {args.rounds} rounds"
    )
    print("items    hello_rps  search_rps  ratio  item_rps  ratio  queries(search,item)  errors")
    for row in rows:
        errors = row["hello"]["non_2xx"] + row["search"]["non_2xx"] + row["item"]["non_2xx"]
        print(
            f"{row['items']:<8} {row['hello']['rps']:<10} {row['search']['rps']:<11} "
            f"{row['search_ratio']:<6} {row['item']['rps']:<9} {row['item_ratio']:<6} "
            f"{row['queries_per_request']['search']},{row['queries_per_request']['item']}"
            f"{'':<19}{errors}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    counts_constant = len({json.dumps(row["queries_per_request"]) for row in rows}) == 1
    ratios_met = all(min(row["search_ratio"], row["item_ratio"]) >= RATIO_TARGET for row in rows)
    no_errors = all(
        row["hello"]["non_2xx"] + row["search"]["non_2xx"] + row["item"]["non_2xx"] == 0
        for row in rows
    )
    print(f"query count constant: {counts_constant}; ratios >= {RATIO_TARGET}: {ratios_met}")
    return 0 if counts_constant and no_errors and (ratios_met or args.quick) else 1


if __name__ == "__main__":
    sys.exit(main())
