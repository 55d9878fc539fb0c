"""Metadata read from clean text: publisher (来源), editor (责任编辑), summary."""

from __future__ import annotations

import re
from collections.abc import Iterable

# The patterns of Chinese news bylines. None starts with `^\s*` under MULTILINE:
# on text of many empty lines that backtracks quadratically (a hostile feed
# found it); every quantifier here is bounded by a literal before it.
# 来源 where it starts a word: after a line start, a space, a bar, a bracket or the
# time of a byline row ("08:58:52来源：新华网"), or after 本文/文章/稿件/新闻/信息; not
# inside a word ("图片来源", "资金来源"). "本文来源于X" says the same as "来源：X".
PUBLISHER = re.compile(
    r"(?:(?<![\u4e00-\u9fffA-Za-z])|(?<=本文|文章|稿件|新闻|信息))(?:来[ \u3000]{0,2}源|稿源|出处)"
    r"(?:[ \t\u3000]*[:：]|于)\s*"
    r"(?P<name>[^\s　|｜<>，,。;；()（）【】\[\]「」]{2,30})"
)
# A name, and more names after 、 or a space, none of them a label ("分类：").
_NAMES = (
    r"[\u4e00-\u9fffA-Za-z·]{2,12}(?![:：])"
    r"(?:[、，, \u3000](?!报道|摄影?|通讯员|实习生|综合|编译|发自)[\u4e00-\u9fff]{2,4}"
    r"(?![\u4e00-\u9fff]*[:：])){0,3}"
)
# What follows 记者 in a sentence ("记者表示", "作者本人"), not in a byline.
_NOT_A_NAME = (
    r"(?!表示|介绍|了解|获悉|注意到|发现|看到|采访|调查|走访|实地|随机|观察|查询|致电|联系|梳理"
    r"|统计|询问|留意|多方|本人|自己|简介|其他|从|在|向|对|近日|日前|昨日|今日|近期|一行|团队"
    r"|责任|编辑|来源|看|眼中|手记|走进|探访|直击|专访)"
)
_NOT_A_NAME_START = re.compile(_NOT_A_NAME)
AUTHOR = re.compile(
    r"(?:作[ \u3000]{0,2}者|记者|撰文|评论员(?!\s*[:：])|编译|文(?=\s*[/｜|︱丨]))"
    r"\s*[:：/｜|︱丨]?\s*" + _NOT_A_NAME + "(?P<name>" + _NAMES + ")"
)
# A whole name: "责任编辑：\n平台声明：…" credits nobody (平台声 is no name's end).
EDITOR = re.compile(
    r"(?:责任编辑|责编|编[ \u3000]{0,2}辑)\s*[:：]\s*(?P<name>" + _NAMES + r")(?![\u4e00-\u9fff])"
)
EDITOR_EN = re.compile(
    r"(?:Edit(?:ing|ed) by|Editor:)[ \t]+(?P<name>[A-Z][\w.'’-]+(?:[ \t]+[A-Z][\w.'’-]+){0,3})"
)
LABEL = re.compile(r"^\s*(?:(?:文章|稿件|新闻|信息)?来源|稿源|出处|Source|From)\s*[:：]\s*", re.I)
_SENTENCE_END = re.compile(r"(?<=[。！？!?.])\s*")


# The ends of outlet names: 新华网, 北京青年报, 新华社, 央视新闻客户端, 腾讯财经, and the
# channels portals sign with (新浪娱乐, 腾讯音乐, TNW中文站).
_OUTLET = re.compile(
    r"(?:网|报|社|台|刊|志|站|新闻|客户端|频道|财经|传媒|媒体|网站|在线|观察|发布|中心|集团|公司"
    r"|[部局委厅院办署]|政府|平台|号|娱乐|音乐|体育|科技|汽车|时尚"
    r"|APP|App|News|Times|Post|Press|Daily|Media)$"
)
_OUTLET_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·《》\-－—.&]{2,24}")
# A byline's lead-in: "本报记者", "新华社记者", "青网新闻 " before the names.
_BYLINE_HEAD = re.compile(
    r"^(?:(?!本[报台刊网])(?P<outlet>[\u4e00-\u9fffA-Za-z·]{2,12}?)\s*)?"
    r"(?:本报|本台|本刊|本网)?(?:特约|首席|实习|驻\S{1,6})?(?:记者|通讯员|撰稿人?|作者|文(?=\s*[/｜|︱丨:：]))\s*[:：/｜|︱丨]?\s*"
)
# "青网新闻 张毅": an outlet, a space, a name.
_FUSED = re.compile(
    r"^(?P<o>[\u4e00-\u9fff]{2,10}?(?:网|报|社|台|新闻))\s+(?P<n>[\u4e00-\u9fff]{2,3})$"
)
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}·[\u4e00-\u9fff]{1,8}")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z.'’-]*(?: [A-Za-z][A-Za-z.'’-]*){0,4}")
_NOT_LATIN_NAME = re.compile(
    r"\b(?:sponsored|links?|taboola|outbrain|advert\w*|newsletter|follow|share|subscribe|"
    r"updated?|published|read|min|staff|editor|editorial|team|desk|agency|news|admin|"
    r"wire|reports?|contributors?|more|view|profile|email|photos?|video)\b",
    re.I,
)
_LATIN_LEAD = re.compile(
    r"^(?:(?:Analysis|Opinion|Commentary|Story|Text|Reporting)\s+)?by\s+", re.I
)
_LATIN_ROLE = re.compile(
    r"\b(?:writer|correspondent|reporter|editor\S*|press|staff|contributor|columnist|bureau|"
    r"producer|AP|AFP|Reuters|CNN|BBC|for)\b",
    re.I,
)
_NAME_SPLIT = re.compile(r"\s*(?:[、,，/;；&＆]|\band\b|\s)\s*")
_DATE_TAIL = re.compile(r"\s*(?:\d{4}[-/.年]|\d{1,2}[-/月]\d|\d{1,2}:\d\d).*$")
_AFTER_NAME = re.compile(r"(?:作者|记者|责任编辑|编辑|责编|发布时间|时间|字号|点击|浏览|阅读).*$")
_EDITOR_CREDIT = re.compile(
    r"(?:责任编辑|责编|编辑|校对|审核|审校|监制|排版|值班编辑)\s*[:：/|丨]?\s*"
    r"(?P<name>[^\s<>（）()\[\]【】|,，;；：:]{2,16})"
)


def publisher_name(raw: str | None) -> str | None:
    """The outlet a 来源 label or meta tag names, or None: not a sentence, a URL or a date."""
    if not raw:
        return None
    name = _AFTER_NAME.sub("", _DATE_TAIL.sub("", " ".join(raw.split()))).strip(" ：:·-_|｜")
    if name.lower().startswith(("http", "www.")) or re.search(r"\.(?:com|cn|net|org)\b", name):
        return None
    if re.search(r"[。！？!?，,；;]", name) or not re.search(r"[^\W\d_]", name):
        return None
    return name if 2 <= len(name) <= 30 else None


def editor_names(text: str) -> set[str]:
    """The names credited as editors, proof-readers or producers anywhere in a text."""
    return {m.group("name") for m in _EDITOR_CREDIT.finditer(text)}


def split_byline(raw: str | None, not_names: Iterable[str] = ()) -> tuple[str | None, str | None]:
    """(author, outlet) from a byline or author field; a part that is no person's name
    leaves the author empty: an outlet ("网易", "中国科普网"), a credit of one of
    `not_names` (editors, the site's own names), widget text, numbers or a URL.

    "新华社记者 张三、李四" is (张三、李四, 新华社); "青网新闻 张毅" is (张毅, 青网新闻).
    """
    if not raw:
        return None, None
    value = " ".join(raw.split()).strip(" ：:|｜-—()（）[]【】")
    value = _LATIN_LEAD.sub("", value)
    if value.isascii() and "," in value:
        # "TOM KRISHER, AP Auto Writer": the names before the role or the outlet.
        kept = [p.strip() for p in value.split(",") if p.strip()]
        while len(kept) > 1 and _LATIN_ROLE.search(kept[-1]):
            kept.pop()
        value = ", ".join(kept)
    if not value or len(value) > 60 or "http" in value or "@" in value or "_" in value:
        return None, None
    outlet = None
    if head := _BYLINE_HEAD.match(value):
        outlet = publisher_name(head.group("outlet")) if head.group("outlet") else None
        value = value[head.end() :]
    elif fused := _FUSED.match(value):
        outlet, value = fused.group("o"), fused.group("n")
    blocked = {n.lower() for n in not_names if n}
    if not value:
        return None, outlet
    low = value.lower()
    # A Latin name must be one of those names; a Chinese one must not hold one or sit in one.
    if _OUTLET.search(value) or any(
        low == b or (not low.isascii() and len(b) >= 2 and (low in b or b in low)) for b in blocked
    ):
        return None, outlet or (publisher_name(value) if _OUTLET.search(value) else None)
    parts = [p for p in _NAME_SPLIT.split(value) if p]
    if not 1 <= len(parts) <= 6:
        return None, outlet
    latin = value.isascii()
    if latin:
        if not _LATIN_NAME.fullmatch(
            value.replace(" and ", ", ").replace(", ", " ")[:200]
        ) and not all(
            _LATIN_NAME.fullmatch(p) for p in re.split(r"\s*(?:,|\band\b|&)\s*", value) if p
        ):
            return None, outlet
        if _NOT_LATIN_NAME.search(value) or not any(c.isupper() for c in value):
            return None, outlet
    elif not all(_CJK_NAME.fullmatch(p) and _NOT_A_NAME_START.match(p) for p in parts):
        return None, outlet
    return value, outlet


def find_publisher(text: str) -> str | None:
    for match in PUBLISHER.finditer(text):
        if name := publisher_name(match.group("name")):
            return name
    return None


# "（本文来源：经济日报 作者：…）": a reprint names its outlet where the article ends.
# Only "本文来源" (this article's): "文章来源" also labels the items of a related-news box.
_SOURCE_NOTE = re.compile(r"本文来源\s*[:：]\s*(?P<name>[^\s　|｜<>，,。;；()（）【】]{2,30})")


def find_source_note(text: str) -> str | None:
    """The outlet a "本文来源：" note names, wherever in the page it stands."""
    for match in _SOURCE_NOTE.finditer(text):
        if name := publisher_name(match.group("name")):
            return name
    return None


def looks_like_outlet(name: str) -> bool:
    """An unlabelled name that reads as an outlet: a Chinese name that ends as outlets
    do and is more than that ending ("中财网", "新浪娱乐"; not "新闻" or "分享")."""
    name = name.strip()
    ending = _OUTLET.search(name)
    return (
        ending is not None
        and ending.start() > 0
        and 3 <= len(name) <= 16
        and re.search(r"[\u4e00-\u9fff]", name) is not None
        and not name[: ending.start()].isdigit()
        and publisher_name(name) == name
    )


# Editors of Chinese portals sign with their login: "责任编辑：celiawu".
_HANDLE = re.compile(r"[a-z][a-z0-9]{2,19}")


def find_editor(text: str) -> str | None:
    """The first editor credit whose name is a person's (checked like an author's)
    or a portal login."""
    for pattern in (EDITOR, EDITOR_EN):
        for match in pattern.finditer(text):
            raw = match.group("name")
            if name := split_byline(raw)[0] or (raw if _HANDLE.fullmatch(raw) else None):
                return name
    return None


def make_summary(text: str, limit: int = 200) -> str:
    """The first sentences of the text, cut at a sentence end where one is near."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    ends = [m.start() for m in _SENTENCE_END.finditer(cut) if m.start() > limit // 2]
    return cut[: ends[-1]] if ends else cut.rstrip() + "…"
