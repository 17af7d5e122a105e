"""The HTTP plumbing the fake platforms share: a handler answering JSON, a server on a free port.

Each fake (telegram_api.py, zalo_oa.py) keeps only what its platform does differently: the
routes, how a request body is read, what is answered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class JSONHandler(BaseHTTPRequestHandler):
    """A kept-alive HTTP/1.1 handler that answers JSON and logs nothing."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; without TCP_NODELAY each answer on a kept-alive
    # connection waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    # What the platform faked puts on its answers (a subclass may say so).
    content_type = "application/json"

    def read_body(self) -> bytes:
        """The request's body, as long as its Content-Length says (none without one)."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply_json(self, status: int, body: Any) -> None:
        """Answer `body` as JSON with its Content-Length, so the connection stays usable."""
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", self.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def reply_bytes(self, status: int, data: bytes, content_type: str) -> None:
        """Answer raw bytes (a file download) with their Content-Length."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        return  # one line per request on stderr would bury the test output


@contextmanager
def serving(
    handler_class: type[BaseHTTPRequestHandler], *, poll_interval: float = 0.05
) -> Iterator[str]:
    """Serve `handler_class` on a free port of 127.0.0.1 for the block; yields the base URL.

    shutdown() at the end waits up to `poll_interval` seconds for the serving thread to notice
    (the library's 0.5 s, at the end of each of a few hundred tests, added minutes of waiting).
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    # A request still being answered (a slow fault) holds up neither server_close() nor the
    # test process.
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(poll_interval,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def wait_until(done: Callable[[], bool], *, timeout: float, failure: str) -> None:
    """Poll `done` until it is true; the code under test calls the fake from other threads.

    Raises AssertionError(`failure`) after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.02)
    raise AssertionError(failure)
