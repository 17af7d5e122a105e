"""Load one page as a signed-in user from this separate process, and print its latencies.

    python bench/load.py --base http://127.0.0.1:8000 --page /tong-hop \\
        --username lanhdao --password ... --requests 300 --concurrency 4

Only 127.0.0.1 is allowed, and the number of requests is bounded: it measures our own server.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import describe

MAX_REQUESTS = 5_000
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def signed_in_cookies(base: str, username: str, password: str) -> httpx.Cookies:
    """Sign in through the login form; the session cookie to send with every request."""
    with httpx.Client(base_url=base) as client:
        token = CSRF.search(client.get("/dang-nhap").text)
        assert token, "no CSRF token on the login page"
        response = client.post(
            "/dang-nhap",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
        )
        if response.status_code != 302:
            raise SystemExit(f"sign-in refused ({response.status_code})")
        return client.cookies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--page", default="/tong-hop")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    if urlsplit(args.base).hostname != "127.0.0.1":
        parser.error("only http://127.0.0.1:... is measured")
    if not 0 < args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be between 1 and {MAX_REQUESTS}")
    cookies = signed_in_cookies(args.base, args.username, args.password)
    client = httpx.Client(base_url=args.base, cookies=cookies, timeout=30)
    client.get(args.page)  # warm-up: each worker's first request loads the charts' fonts etc.

    def one(_: int) -> tuple[float, int]:
        started = time.perf_counter()
        response = client.get(args.page)
        return (time.perf_counter() - started) * 1000, response.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        results = list(pool.map(one, range(args.requests)))
    elapsed = time.perf_counter() - started
    times = sorted(ms for ms, _ in results)
    failures = sum(1 for _, status in results if status != 200)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"machine: {describe()}")
    print(
        f"GET {args.page}: {len(times)} requests, {args.concurrency} at a time, "
        f"{failures} not 200; {len(times) / elapsed:.1f} req/s"
    )
    print(
        f"latency ms: p50 {statistics.median(times):.1f}  p95 {p95:.1f}  "
        f"max {times[-1]:.1f}  min {times[0]:.1f}"
    )


if __name__ == "__main__":
    main()
