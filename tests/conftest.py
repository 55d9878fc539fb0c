"""Shared fixtures: real services on 127.0.0.1 and real Hexo from npm.

Plain helpers (the CLI in-process, configs, sample articles) are in `helpers`."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.common import HexoSite, hexo_modules_dir
from pytest_httpserver import HTTPServer

PG_ADMIN_URL = os.environ.get(
    "NEWSMILL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    """pytest-httpserver on 127.0.0.1, threaded, so one slow handler cannot stall
    the requests of other sources (as a real network would not)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"newsmill_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="session")
def hexo_modules() -> Path:
    return hexo_modules_dir()


@pytest.fixture
def hexo_site(tmp_path: Path, hexo_modules: Path) -> HexoSite:
    root = tmp_path / "hexo"
    root.mkdir()
    return HexoSite(root, hexo_modules)


@pytest.fixture
def python() -> str:
    return sys.executable
