"""Cleaning feed HTML: sanitizing, boilerplate, lazy images, pixels, URLs."""

from __future__ import annotations

from newsmill.clean import clean_fragment, sanitize_html
from newsmill.clean.rules import default_rules, load_rules

BASE = "https://news.example/2026/11/story.html"


def clean(html: str) -> str:
    return clean_fragment(html, BASE, default_rules().for_url(BASE))


def test_active_content_never_survives() -> None:
    hostile = (
        '<p onclick="x()">Hi<script>alert(1)</script></p><a href="javascript:alert(1)">j</a>'
        '<a href="vbscript:x">v</a><img src="data:image/png;base64,AAAA"><object data="x"></object>'
        '<svg><script>alert(1)</script></svg><form><input value="x"></form>'
        '<div style="width: expression(alert(1))">css</div><meta http-equiv="refresh" content="0;url=x">'
    )
    out = sanitize_html(hostile, BASE)
    for bad in ("onclick", "<script", "javascript:", "vbscript:", "data:", "<object", "<svg",
                "<form", "<input", "expression", "style=", "<meta"):  # fmt: skip
        assert bad not in out, bad
    assert "Hi" in out and "css" in out


def test_relative_urls_absolute_and_tracking_parameters_removed() -> None:
    out = clean(
        '<p><a href="/next?id=3&utm_source=rss&fbclid=x">n</a> <img src="../pic.jpg" width="640"></p>'
    )
    assert 'href="https://news.example/next?id=3"' in out
    assert 'src="https://news.example/2026/pic.jpg"' in out
    assert 'referrerpolicy="no-referrer"' in out


def test_lazy_images_and_pixels() -> None:
    out = clean(
        '<p>text</p><img data-original="/a.jpg" src="/grey.gif">'
        '<img srcset="/s.jpg 320w, /l.jpg 1280w"><img data-actualsrc="/z.jpg">'
        '<img src="/t.gif" width="1" height="1"><img src="https://hm.baidu.com/hm.gif?x=1">'
    )
    assert "/a.jpg" in out and "/l.jpg" in out and "/z.jpg" in out
    assert "grey.gif" not in out and "t.gif" not in out and "baidu" not in out


def test_chinese_boilerplate_and_video_embeds() -> None:
    out = clean(
        "<p>　　正文第一段。</p><!-- 正文下iframe -->"
        '<iframe src="https://player.bilibili.com/player.html?bvid=1"></iframe>'
        '<iframe src="https://ads.example/x"></iframe>'
        '<div class="appendQr_wrap"><img src="/qr.png"><div>海量资讯、精准解读，尽在新浪财经APP</div></div>'
        '<p class="article-editor">责任编辑：刘万里 SF014</p><p></p><div> </div>'
    )
    assert "正文第一段" in out and "player.bilibili.com" in out
    for junk in ("ads.example", "qr.png", "海量资讯", "责任编辑", "<!--", "<p></p>"):
        assert junk not in out, junk


def test_user_rules_extend_the_shipped_ones() -> None:
    rules = load_rules(
        {"news.example": {"drop": ["div.promo-box"], "drop_text": ["^Advertisement$"]}}
    )
    rule = rules.for_url(BASE)
    out = clean_fragment(
        '<p>Keep me.</p><div class="promo-box">Buy now</div><p>Advertisement</p>', BASE, rule
    )
    assert out == "<p>Keep me.</p>"
    assert (
        rules.for_url("https://other.example/").drop
        == default_rules().for_url("https://other.example/").drop
    )
