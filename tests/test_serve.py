"""`tracker serve` as `make run` starts it: the login page answers, and each demo login lands home.

A real server process on 127.0.0.1 and a real HTTP client, with the scheduler embedded.
"""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tracker.demo import DEMO_PASSWORD

TRACKER = [sys.executable, "-m", "tracker.cli"]
HOMES = {
    "quantri": "/quan-tri/tai-khoan",
    "lanhdao": "/tong-hop",
    "thuky": "/thong-bao",
    "mattran": "/don-vi",
    "songlam": "/don-vi",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "TRACKER_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRACKER_ENV": "development",
    }
    env.pop("TRACKER_DATABASE_URL", None)
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([*TRACKER, *command], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [*TRACKER, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/dang-nhap", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            assert time.monotonic() < deadline, "the login page did not answer within 60 s"
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
def test_served_app_logs_each_demo_user_in(served: str) -> None:
    for username, home in HOMES.items():
        with httpx.Client(base_url=served, follow_redirects=True, timeout=10) as client:
            page = client.get("/dang-nhap").text
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            landed = client.post(
                "/dang-nhap",
                data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token},
            )
            assert landed.status_code == 200
            assert landed.url.path == home, username
