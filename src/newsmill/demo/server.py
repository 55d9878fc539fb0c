"""A loopback HTTP server for the demo's bundled samples.

It answers conditional requests (ETag, Last-Modified) like a real site, so a
second demo run costs no parsing, just as a second real run would.
"""

from __future__ import annotations

import hashlib
import threading
import tomllib
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from importlib.abc import Traversable
from typing import Any

BASE_TOKEN = b"@BASE@"
# A fixed date, so Last-Modified is the same on every run.
_LAST_MODIFIED = formatdate(1795000000, usegmt=True)


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str
    etag: str


def samples_root() -> Traversable:
    return resources.files("newsmill.demo").joinpath("samples")


def load_manifest() -> dict[str, Any]:
    return tomllib.loads(samples_root().joinpath("manifest.toml").read_text("utf-8"))


def build_resources(base_url: str) -> dict[str, Resource]:
    root = samples_root()
    manifest = load_manifest()
    served: dict[str, Resource] = {}
    for item in [*manifest.get("feeds", []), *manifest.get("pages", [])]:
        body = root.joinpath(item["file"]).read_bytes().replace(BASE_TOKEN, base_url.encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        served[item["path"]] = Resource(body, item["content_type"], etag)
    return served


class DemoServer:
    """Serves the samples on 127.0.0.1 in a background thread."""

    def __init__(self, port: int = 0) -> None:
        self._resources: dict[str, Resource] = {}
        handler = self._handler_class()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._resources = build_resources(self.base_url)
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                resource = server._resources.get(path)
                if resource is None:
                    self.send_error(404)
                    return
                if self.headers.get("If-None-Match") == resource.etag:
                    self.send_response(304)
                    self.send_header("ETag", resource.etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", resource.content_type)
                self.send_header("Content-Length", str(len(resource.body)))
                self.send_header("ETag", resource.etag)
                self.send_header("Last-Modified", _LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(resource.body)

        return Handler

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
