"""`newsmill serve`: the built site over HTTP on 127.0.0.1, to read it and try its search.

Search fetches its index with `fetch()`, which browsers refuse for pages
opened from disk; any static web server works, this one needs nothing
installed. It answers missing paths with the site's own 404 page.
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar


class SiteHandler(SimpleHTTPRequestHandler):
    _TYPES: ClassVar[dict[str, str]] = {
        ".json": "application/json",
        ".xml": "application/xml",
        ".js": "text/javascript",
    }

    def guess_type(self, path: Any) -> str:
        return self._TYPES.get(Path(str(path)).suffix) or super().guess_type(path)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(str(self.directory)) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server for `folder` (port 0 picks a free one); call serve_forever() on it."""
    handler = partial(SiteHandler, directory=str(folder))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(folder: Path, host: str = "127.0.0.1") -> tuple[ThreadingHTTPServer, str]:
    """Start a server on a free port in a daemon thread; returns it and its base URL."""
    server = make_server(folder, host, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/"
