"""RSSHub routes, read from a real RSSHub on loopback (npm rsshub@1.0.0, offline)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.common import run_cli, status_json, write_config
from helpers.rsshub import free_port, running

KEY = "s3cret-Key-42"


@pytest.fixture(scope="module")
def rsshub() -> Iterator[str]:
    with running(KEY) as base:
        yield base


def routes(*names: str) -> list[dict[str, object]]:
    paths = {"one": "/test/1", "complicated": "/test/complicated", "broken": "/test/error"}
    return [{"name": n, "rsshub": paths[n], "categories": ["测试"]} for n in names]


def every_file_under(folder: Path) -> Iterator[bytes]:
    """What newsmill wrote: every file but the configuration the key was given in."""
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "newsmill.toml":
            yield path.read_bytes()


def test_routes_stored_sanitized_scheduled_by_ttl_and_the_key_never_shown(
    tmp_path: Path, rsshub: str
) -> None:
    config = write_config(
        tmp_path,
        routes("one", "complicated", "broken"),
        rsshub={"base_url": rsshub, "access_key": KEY},
        schedule={"min_interval": "60s", "max_interval": "120s"},
    )
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 1  # /test/error fails; the others are stored
    articles = [json.loads(line) for line in (tmp_path / "articles.jsonl").open(encoding="utf-8")]
    by_source = {
        name: [a for a in articles if a["source"] == name] for name in ("one", "complicated")
    }
    assert len(by_source["one"]) >= 2 and len(by_source["complicated"]) >= 1
    assert {a["title"] for a in by_source["one"]} >= {"Title1", "Title2"}
    for article in by_source["complicated"]:
        html = article["content_html"]
        assert "<script" not in html and "javascript:" not in html
        assert 'src="/' not in html and 'href="/' not in html  # relative links made absolute

    sources, _ = status_json("-c", str(config))
    # RSSHub's <ttl> (5 minutes) outweighs the configured max_interval of 2 minutes.
    assert sources["one"]["interval_seconds"] == 300
    error = sources["broken"]["last_error"]
    assert error.startswith("HTTP 404") and "Error test" in error
    assert "<" not in error and " at " not in error and len(error) < 120

    table = run_cli("status", "-c", str(config)).output
    secret = KEY.encode()
    assert secret not in result.output.encode() and secret not in table.encode()
    assert not any(secret in data for data in every_file_under(tmp_path))


def test_the_key_from_the_environment_and_rsshub_refusing_without_it(
    tmp_path: Path, rsshub: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path, routes("one"), rsshub={"base_url": rsshub})
    refused = run_cli("run", "-c", str(config))
    assert refused.exit_code == 1
    sources, _ = status_json("-c", str(config))
    assert sources["one"]["last_error"] == "HTTP 403: Error: Access denied."

    monkeypatch.setenv("NEWSMILL_RSSHUB_KEY", KEY)
    assert run_cli("run", "--all", "-c", str(config)).exit_code == 0
    sources, _ = status_json("-c", str(config))
    assert sources["one"]["articles"] >= 2 and sources["one"]["last_error"] is None


def test_a_route_failing_on_one_instance_is_read_from_the_next(tmp_path: Path, rsshub: str) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    config = write_config(
        tmp_path,
        routes("one"),
        rsshub={"base_url": [down, rsshub], "access_key": KEY},
        fetch={"allow_private_networks": True, "retries": 0, "timeout": "2s"},
    )
    assert run_cli("run", "-c", str(config)).exit_code == 0
    sources, _ = status_json("-c", str(config))
    one = sources["one"]
    assert one["articles"] >= 2 and one["last_error"] is None
    served_by = rsshub.removeprefix("http://")
    assert one["last_warning"].startswith(f"served by {served_by}; {down.removeprefix('http://')}:")
    assert KEY not in one["last_warning"]
