"""A real HTTP receiver for webhook tests and the benchmark: a threaded server on 127.0.0.1
that records every request and answers per path.

Paths choose the behaviour: /ok/<name> 200 · /fail<N>/<name> 500 N times then 200 ·
/always500/<name> · /gone/<name> 410 · /busy<N>/<name> 503 with Retry-After: 1, N times.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    status: int


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _status_for(rec: Receiver, path: str) -> tuple[int, dict[str, str]]:
    with rec.lock:
        n = rec.counts.get(path, 0)
        rec.counts[path] = n + 1
    kind = path.strip("/").split("/", 1)[0]
    if m := re.fullmatch(r"fail(\d+)", kind):
        return (500 if n < int(m.group(1)) else 200), {}
    if m := re.fullmatch(r"busy(\d+)", kind):
        return (503, {"Retry-After": "1"}) if n < int(m.group(1)) else (200, {})
    return {"always500": 500, "gone": 410}.get(kind, 200), {}


def start_receiver() -> Receiver:
    rec: Receiver

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK hold the body back ~40 ms (a "fast" receiver must not).
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status, extra = _status_for(rec, self.path)
            with rec.lock:
                rec.requests.append(
                    Received(
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        time.time(),
                        status,
                    )
                )
            reply = b'{"received":true}' if status < 300 else b"nope " * 400
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rec = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return rec
