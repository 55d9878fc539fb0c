"""`newsmill.toml`, validated once at load into typed objects.

Every problem becomes one `ConfigError` line naming the file, the key and what
is wrong, because a scheduled job's log is often the only place a user looks.
"""

from __future__ import annotations

import copy
import os
import re
import tomllib
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from newsmill.configfile import CONFIG_NAME as CONFIG_NAME  # re-exported for callers
from newsmill.configfile import ConfigError as ConfigError
from newsmill.model import Source

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: object) -> float:
    """Seconds from `20s`, `5m`, `1.5h`, `90d` or a bare number of seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 20s, 5m or 1h")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    else:
        raise ValueError(f"expected a duration such as 20s, 5m or 1h, got {value!r}")
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


def _check_patterns(value: list[str]) -> list[str]:
    """Filter rules: a keyword, or a /regex/ that must compile."""
    for pattern in value:
        if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
            try:
                re.compile(pattern[1:-1])
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class SiteConfig(_Strict):
    title: str = "newsmill"
    timezone: str = "UTC"
    base_url: str = ""
    # The site's own words and `lang`: "zh-CN" or "en"; empty, those of most articles.
    language: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class StoreConfig(_Strict):
    url: str = "sqlite:///newsmill.db"

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value


class FetchConfig(_Strict):
    concurrency: int = Field(16, ge=1, le=1024)
    per_host: int = Field(2, ge=1, le=64)
    timeout: Duration = 20.0
    total_timeout: Duration = 60.0
    retries: int = Field(3, ge=0, le=10)
    backoff: Duration = 1.0
    max_retry_after: Duration = 120.0
    max_bytes: int = Field(20 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    user_agent: str = ""
    allow_private_networks: bool = False
    # Private networks allowed anyway (CIDRs), e.g. the LAN host of a news archive.
    # The [rsshub] base_url host is always allowed.
    allowed_networks: list[str] = []
    allowed_hosts: list[str] = []

    @field_validator("allowed_networks")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"not a network: {item!r} (use CIDR, e.g. 10.0.0.0/8)") from None
        return value


class RsshubConfig(_Strict):
    # One instance, or several tried in order: a route that fails on one (5xx, 429,
    # a timeout, a refusal) is read from the next.
    base_url: str | list[str] = "http://127.0.0.1:1200"
    # The instance's ACCESS_KEY, sent as ?key=; else the environment's NEWSMILL_RSSHUB_KEY.
    access_key: str | None = Field(default=None, repr=False)

    @field_validator("base_url")
    @classmethod
    def _http_urls(cls, value: str | list[str]) -> str | list[str]:
        urls = [value] if isinstance(value, str) else value
        if not urls:
            raise ValueError("give at least one RSSHub instance")
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"must be http:// or https:// URLs, got {url!r}")
        return value

    @property
    def instances(self) -> list[str]:
        """The instances' base URLs, in the order they are tried."""
        return [self.base_url] if isinstance(self.base_url, str) else list(self.base_url)

    @property
    def key(self) -> str | None:
        return self.access_key or os.environ.get("NEWSMILL_RSSHUB_KEY") or None


class ListSelectConfig(_Strict):
    """Where a list source's articles are, when the list finder should not guess:
    CSS selectors (`sel@attr` reads an attribute) for an HTML page, dot paths and
    field names for a JSON or JSONP one."""

    items: str = Field(min_length=1)
    link: str = ""
    title: str = ""
    date: str = ""
    summary: str = ""
    next: str = ""


class SourceConfig(_Strict):
    # Letters and digits of any script, then also . _ -: `sina-finance`, `新浪财经-滚动`.
    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\W_][\w.-]*$")
    url: str | None = None
    rsshub: str | None = None
    # A page (or JSON/JSONP API) that lists articles; `list` in the file.
    list_url: str | None = Field(default=None, alias="list")
    list_format: Literal["auto", "html", "json", "jsonp"] = "auto"
    select: ListSelectConfig | None = None
    max_pages: int = Field(3, ge=1, le=50)  # list pages followed on a source's first run
    # List pages drawn by JavaScript: loaded in headless Chromium always, or when the
    # page as fetched has no list and almost no links (newsmill[browser]).
    render: Literal["never", "auto", "always"] = "never"
    categories: list[str] = Field(min_length=1, max_length=3)
    author: str = ""
    full_text: Literal["auto", "always", "never"] = "auto"
    include: list[str] = []
    exclude: list[str] = []
    user_agent: str | None = None
    encoding: str | None = None
    enabled: bool = True
    interval: Duration | None = None  # fixed polling interval; default: adaptive
    max_age: Duration | None = None  # items older than this are filtered
    languages: list[str] = []  # e.g. ["zh", "en"]; empty: any

    @model_validator(mode="after")
    def _one_location(self) -> SourceConfig:
        if sum(1 for where in (self.url, self.rsshub, self.list_url) if where) != 1:
            raise ValueError("give exactly one of url, rsshub or list")
        for key, value in (("url", self.url), ("list", self.list_url)):
            if value and not value.startswith(("http://", "https://")):
                raise ValueError(f"{key} must be http:// or https://, got {value!r}")
        return self

    @field_validator("categories")
    @classmethod
    def _non_empty_levels(cls, value: list[str]) -> list[str]:
        if any(not c.strip() for c in value):
            raise ValueError("category levels must not be empty")
        return value

    @field_validator("include", "exclude")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        return _check_patterns(value)


class HexoConfig(_Strict):
    dir: Path
    placeholder_image: str = ""


class HugoConfig(_Strict):
    dir: Path
    placeholder_image: str = ""


class JekyllConfig(_Strict):
    dir: Path
    placeholder_image: str = ""


class JsonlConfig(_Strict):
    path: Path


class SiteOutputConfig(_Strict):
    """newsmill's own static site (built by `newsmill build` and at the end of `run`)."""

    dir: Path
    base_url: str = "/"
    page_size: int = Field(30, ge=1, le=1000)
    templates: Path | None = None
    search: bool = True


class PublishConfig(_Strict):
    keep: str | int | None = None  # "90d" (age) or a count per source; None keeps all
    # Publish the stored articles of sources no longer in the config (default: not).
    keep_articles: bool = False
    hexo: HexoConfig | None = None
    hugo: HugoConfig | None = None
    jekyll: JekyllConfig | None = None
    jsonl: JsonlConfig | None = None
    site: SiteOutputConfig | None = None

    @field_validator("keep")
    @classmethod
    def _valid_keep(cls, value: str | int | None) -> str | int | None:
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            raise ValueError("a count to keep must be at least 1")
        if isinstance(value, str):
            parse_duration(value)
        return value

    @property
    def keep_seconds(self) -> float | None:
        return parse_duration(self.keep) if isinstance(self.keep, str) else None

    @property
    def keep_count(self) -> int | None:
        return self.keep if isinstance(self.keep, int) else None

    def configured(self) -> bool:
        """Whether any output is configured."""
        return any((self.hexo, self.hugo, self.jekyll, self.jsonl, self.site))


class DedupeConfig(_Strict):
    """Cross-source story clustering (see docs/dedupe.md for how to tune it)."""

    enabled: bool = True
    # Estimated Jaccard similarity of shingles at which two articles are one story.
    threshold: float = Field(0.5, gt=0.0, le=1.0)
    canonical: Literal["earliest", "most_complete"] = "earliest"
    window: Duration = 7 * 86400.0  # only articles published this close are compared
    publish_duplicates: bool = False  # Hexo/Hugo/Jekyll: write non-canonical articles too


class ScheduleConfig(_Strict):
    """Polling: adaptive per source within [min_interval, max_interval]."""

    interval: Duration = 1800.0
    min_interval: Duration = 300.0
    max_interval: Duration = 6 * 3600.0
    jitter: float = Field(0.1, ge=0.0, le=0.5)
    disable_after: int = Field(10, ge=0)  # consecutive failures; 0 never disables


class FiltersConfig(_Strict):
    """Filters applied to every source, on top of each source's own."""

    include: list[str] = []
    exclude: list[str] = []
    max_age: Duration | None = None
    languages: list[str] = []

    @field_validator("include", "exclude")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        return _check_patterns(value)


class TagsConfig(_Strict):
    """Keywords as tags for items whose feed gives none."""

    enabled: bool = True
    max: int = Field(5, ge=0, le=20)


class RunConfig(_Strict):
    engine: Literal["local", "celery"] = "local"
    broker: str = "redis://127.0.0.1:6379/0"
    # Worker processes of the local engine for cleaning and keywords: "auto" starts
    # one per core (at most 4, about 250 MB each) for runs of 100 sources or more.
    processes: Literal["auto"] | Annotated[int, Field(ge=0, le=256)] = "auto"


class Config(_Strict):
    site: SiteConfig = SiteConfig()
    store: StoreConfig = StoreConfig()
    fetch: FetchConfig = FetchConfig()
    rsshub: RsshubConfig = RsshubConfig()
    sources: list[SourceConfig] = []
    publish: PublishConfig = PublishConfig()
    run: RunConfig = RunConfig()
    dedupe: DedupeConfig = DedupeConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    filters: FiltersConfig = FiltersConfig()
    tags: TagsConfig = TagsConfig()
    # [rules."host"] tables extending the shipped site rules (see clean/rules.py)
    rules: dict[str, dict[str, Any]] = {}
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("rules")
    @classmethod
    def _valid_rules(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from newsmill.clean import RuleError, load_rules

        try:
            load_rules(value)
        except RuleError as exc:
            raise ValueError(str(exc)) from None
        return value

    def fetch_settings(self) -> FetchConfig:
        """[fetch] with the RSSHub instances' hosts added to the hosts always allowed."""
        if not any(s.rsshub for s in self.sources):
            return self.fetch
        hosts = [urlsplit(url).hostname or "" for url in self.rsshub.instances]
        added = [h for h in dict.fromkeys(hosts) if h and h not in self.fetch.allowed_hosts]
        if not added:
            return self.fetch
        return self.fetch.model_copy(update={"allowed_hosts": [*self.fetch.allowed_hosts, *added]})

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"duplicate source name {source.name!r}")
            seen.add(source.name)
        return self

    def resolved_sources(self) -> list[Source]:
        """Sources with RSSHub routes turned into URLs, ready for the pipeline."""
        out = []
        for s in self.sources:
            direct = s.url or s.list_url
            route = s.rsshub or ""
            urls = [direct] if direct else [route_url(b, route) for b in self.rsshub.instances]
            select = s.select.model_dump() if s.select else {}
            out.append(
                Source(
                    name=s.name,
                    url=urls[0],
                    mirrors=tuple(urls[1:]),
                    access_key=self.rsshub.key if s.rsshub else None,
                    kind="list" if s.list_url else "feed",
                    list_format=s.list_format,
                    select=tuple((k, v) for k, v in select.items() if v),
                    max_pages=s.max_pages,
                    render=s.render,
                    categories=tuple(c.strip() for c in s.categories),
                    author=s.author,
                    full_text=s.full_text,
                    include=tuple(s.include),
                    exclude=tuple(s.exclude),
                    user_agent=s.user_agent,
                    encoding=s.encoding,
                    enabled=s.enabled,
                    interval=s.interval,
                    max_age=s.max_age,
                    languages=tuple(s.languages),
                )
            )
        return out


def _location(loc: tuple[int | str, ...]) -> str:
    """`sources[2].full_text` from pydantic's ("sources", 2, "full_text")."""
    text = ""
    for item in loc:
        if isinstance(item, int):
            text += f"[{item}]"
        elif not item.startswith(("function-", "constrained-")):
            text += f".{item}" if text else item
    return text


def _friendly(error: dict[str, Any], data: dict[str, Any]) -> str:
    loc = _location(tuple(error["loc"]))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "required key is missing"
    # Name the source too, since "sources[3]" means little in a long file.
    if loc.startswith("sources[") and isinstance(error["loc"][1], int):
        index = error["loc"][1]
        sources = data.get("sources")
        if isinstance(sources, list) and index < len(sources) and isinstance(sources[index], dict):
            name = sources[index].get("name")
            if isinstance(name, str):
                loc = f"{loc} (source {name!r})"
    return f"{loc}: {message}" if loc else message


_OUTPUT_PATHS = (
    ("hexo", "dir"),
    ("hugo", "dir"),
    ("jekyll", "dir"),
    ("jsonl", "path"),
    ("site", "dir"),
    ("site", "templates"),
)


def _resolve_paths(data: dict[str, Any], base: Path) -> None:
    store = data.get("store")
    if isinstance(store, dict) and isinstance(store.get("url"), str):
        url: str = store["url"]
        prefix = "sqlite:///"
        rest = url[len(prefix) :] if url.startswith(prefix) else ""
        if rest and not rest.startswith("/") and rest != ":memory:":
            store["url"] = prefix + str((base / rest).resolve())
    publish = data.get("publish")
    if isinstance(publish, dict):
        for key, field_name in _OUTPUT_PATHS:
            section = publish.get(key)
            if isinstance(section, dict) and isinstance(section.get(field_name), str):
                section[field_name] = str((base / section[field_name]).resolve())


def append_sources(path: Path, tables: list[dict[str, Any]]) -> None:
    """Add [[sources]] tables at the end of the file, leaving every byte before them
    (comments, order, spacing) as it was; the result must still load."""
    import tomli_w

    from newsmill.files import write_atomic

    current = path.read_text("utf-8") if path.exists() else ""
    updated = current.rstrip("\n") + "\n\n" + tomli_w.dumps({"sources": tables})
    try:
        config_from_dict(tomllib.loads(updated), path)
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        raise ConfigError(
            f"{path}: cannot add [[sources]] tables to it ({exc}); "
            "is `sources` written as an inline array?"
        ) from None
    write_atomic(path, updated.encode("utf-8"), durable=True)


_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*[^\]]+\]\]?\s*(#.*)?$")


def remove_source_table(path: Path, name: str) -> None:
    """Take the [[sources]] table named `name` out of the file, leaving every other byte
    (comments, order, spacing) as it was. The result must load as the same config
    less that source, or nothing is written."""
    from newsmill.files import write_atomic

    text = path.read_text("utf-8")
    before = tomllib.loads(text)
    lines = text.splitlines(keepends=True)
    # `[sources.select]` belongs to the [[sources]] table above it, not after it.
    headers = [
        n
        for n, line in enumerate(lines)
        if _TABLE_HEADER.match(line) and not line.strip().replace(" ", "").startswith("[sources.")
    ] + [len(lines)]
    for start, end in pairwise(headers):
        if lines[start].strip().replace(" ", "") != "[[sources]]":
            continue
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip()[0] == "#"):
            end -= 1  # comments just above the next table belong to it
        try:
            table = tomllib.loads("".join(lines[start:end])).get("sources", [{}])[0]
        except tomllib.TOMLDecodeError:
            continue
        if table.get("name") != name:
            continue
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1  # and so do the comments just above this one
        while (
            end < len(lines) and start and not lines[end].strip() and not lines[start - 1].strip()
        ):
            end += 1  # one blank line between the tables left, not two
        updated = "".join(lines[:start] + lines[end:])
        expected = dict(before)
        expected["sources"] = [t for t in before.get("sources", []) if t.get("name") != name]
        if not expected["sources"]:
            del expected["sources"]
        try:
            after = tomllib.loads(updated)
        except tomllib.TOMLDecodeError:
            after = None
        if after != expected:
            break
        config_from_dict(tomllib.loads(updated), path)
        write_atomic(path, updated.encode("utf-8"), durable=True)
        return
    raise ConfigError(
        f"{path}: cannot take the source {name!r} out of it by itself (is it a [[sources]] "
        "table of the file?); edit the file by hand"
    )


def route_url(base_url: str, route: str) -> str:
    """An RSSHub route on one instance: `https://hub.example/` + `/test/1`."""
    return base_url.rstrip("/") + "/" + route.lstrip("/")


def load_config(path: Path) -> Config:
    """Read and validate a config file; relative paths resolve against its folder."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return config_from_dict(data, path)


# What a [defaults] table may give every source that does not say: not where a source
# is (url, rsshub, list), its name or its selectors, which are its own.
SHARED_SOURCE_KEYS = frozenset(
    f.alias or name
    for name, f in SourceConfig.model_fields.items()
    if name not in ("name", "url", "rsshub", "list_url", "select")
)


def _apply_defaults(data: dict[str, Any], path: Path) -> None:
    """`[defaults]`: settings every [[sources]] table has unless it says otherwise."""
    defaults = data.pop("defaults", {})
    if not isinstance(defaults, dict):
        raise ConfigError(f"{path}: defaults: must be a table of source settings")
    for key in defaults:
        if key not in SHARED_SOURCE_KEYS:
            raise ConfigError(
                f"{path}: defaults.{key}: not a setting sources can share "
                f"(one of {', '.join(sorted(SHARED_SOURCE_KEYS))})"
            )
    sources = data.get("sources")
    if defaults and isinstance(sources, list):
        for table in sources:
            if isinstance(table, dict):
                for key, value in defaults.items():
                    table.setdefault(key, copy.deepcopy(value))


def config_from_dict(data: dict[str, Any], path: Path) -> Config:
    _apply_defaults(data, path)
    store = data.setdefault("store", {})
    if isinstance(store, dict):
        # The default database lives beside the config, not wherever cron's cwd is.
        store.setdefault("url", StoreConfig.model_fields["url"].default)
    _resolve_paths(data, path.parent.resolve())
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = exc.error_count() - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(f"{path}: {_friendly(dict(first), data)}{suffix}") from None
    return config.model_copy(update={"path": path})
