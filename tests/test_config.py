"""newsmill.toml: what is accepted, and the one-line errors for what is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.common import run_cli

from newsmill.config import ConfigError, load_config, parse_duration

GOOD = """
[site]
title = "财经速递"
timezone = "Asia/Shanghai"
[store]
url = "sqlite:///data/newsmill.db"
[fetch]
concurrency = 16
per_host = 2
timeout = "20s"
allow_private_networks = false
[rsshub]
base_url = "http://127.0.0.1:1200"
[[sources]]
name = "sina-finance-china"
rsshub = "/sina/finance/china/1686"
categories = ["金融", "新浪财经", "国内"]
author = "新浪财经"
full_text = "auto"
include = []
exclude = ["/广告|推广/"]
[publish.hexo]
dir = "hexo/source/_posts"
placeholder_image = ""
[publish.jsonl]
path = "articles.jsonl"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newsmill.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_shape_loads_with_paths_resolved(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.fetch.timeout == 20.0
    assert config.store.url == f"sqlite:///{tmp_path.resolve()}/data/newsmill.db"
    assert (
        config.publish.hexo and config.publish.hexo.dir == tmp_path.resolve() / "hexo/source/_posts"
    )
    (source,) = config.resolved_sources()
    assert source.url == "http://127.0.0.1:1200/sina/finance/china/1686"
    assert source.categories == ("金融", "新浪财经", "国内")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("[site]", "[site]\ncolour = 1"), "site.colour: unknown key"),
        (('timeout = "20s"', 'timeout = "soon"'), "fetch.timeout: expected a duration"),
        (("concurrency = 16", 'concurrency = "many"'), "fetch.concurrency:"),
        (
            ('full_text = "auto"', 'full_text = "sometimes"'),
            "sources[0].full_text (source 'sina-finance-china')",
        ),
        (('categories = ["金融", "新浪财经", "国内"]', "categories = []"), "sources[0].categories"),
        (
            ('categories = ["金融", "新浪财经", "国内"]', 'categories = ["a","b","c","d"]'),
            "sources[0].categories",
        ),
        (('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"'), "unknown time zone"),
        (('exclude = ["/广告|推广/"]', 'exclude = ["/[unclosed/"]'), "bad regex"),
        (('rsshub = "/sina/finance/china/1686"', 'url = "ftp://x"'), "url must be http"),
        (('url = "sqlite:///data/newsmill.db"', 'url = "mysql://x"'), "store.url"),
        (('base_url = "http://127.0.0.1:1200"', "base_url = []"), "rsshub.base_url"),
        (('rsshub = "/sina/finance/china/1686"', 'list = "ftp://x"'), "list must be http"),
        (('full_text = "auto"', 'full_text = "auto"\nlist = "https://a.example/"'), "exactly one"),
        (('full_text = "auto"', 'full_text = "auto"\nmax_pages = 0'), "sources[0].max_pages"),
        (('full_text = "auto"', 'full_text = "auto"\nselect = {link = "a"}'), "select.items"),
        (('base_url = "http://127.0.0.1:1200"', 'base_url = ["hub.example"]'), "http:// or"),
    ],
)
def test_bad_values_name_file_key_and_problem(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change, 1))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(str(path)) and expected in message
    assert "\n" not in message


def test_rsshub_instances_in_order_with_the_key_kept_out_of_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    several = 'base_url = ["https://hub-a.example/", "http://10.0.0.7:1200"]'
    config = load_config(
        write(tmp_path, GOOD.replace('base_url = "http://127.0.0.1:1200"', several))
    )
    (source,) = config.resolved_sources()
    assert source.url == "https://hub-a.example/sina/finance/china/1686"
    assert source.mirrors == ("http://10.0.0.7:1200/sina/finance/china/1686",)
    assert source.access_key is None
    assert config.fetch_settings().allowed_hosts == ["hub-a.example", "10.0.0.7"]
    monkeypatch.setenv("NEWSMILL_RSSHUB_KEY", "from-env")
    (source,) = config.resolved_sources()
    assert source.access_key == "from-env" and "from-env" not in repr(source)


def test_duplicate_source_names(tmp_path: Path) -> None:
    doubled = GOOD + GOOD[GOOD.index("[[sources]]") : GOOD.index("[publish.hexo]")]
    with pytest.raises(ConfigError, match="duplicate source name 'sina-finance-china'"):
        load_config(write(tmp_path, doubled))


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(write(tmp_path, "[site\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize("command", ["run", "build", "status"])
def test_cli_exits_2_with_one_line_and_no_traceback(tmp_path: Path, command: str) -> None:
    path = write(tmp_path, GOOD.replace("concurrency = 16", "concurrency = 0"))
    result = run_cli(command, "-c", str(path))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "fetch.concurrency" in lines[0] and "Traceback" not in result.output


def test_unreachable_database_exits_2(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD.replace(
            'url = "sqlite:///data/newsmill.db"',
            'url = "postgresql+psycopg://nobody@127.0.0.1:1/none"',
        ),
    )
    result = run_cli("status", "-c", str(path))
    assert result.exit_code == 2
    assert result.output.startswith(
        "newsmill: store postgresql+psycopg://nobody@127.0.0.1:1/none: cannot open"
    )
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "seconds"), [("20s", 20), ("5m", 300), ("1.5h", 5400), ("90d", 7776000), (3, 3)]
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_default_store_lives_beside_the_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[site]\ntitle = 'x'\n"))
    assert config.store.url == f"sqlite:///{tmp_path.resolve()}/newsmill.db"


def test_the_shipped_example_config_is_valid() -> None:
    from helpers.common import REPO

    config = load_config(REPO / "examples" / "newsmill.toml")
    assert config.sources and config.publish.hexo is not None
