"""The lead image: the feed's own picture first, never a logo, a QR code or a pixel."""

from __future__ import annotations

from newsmill.enrich import content_images, pick_lead_image
from newsmill.model import Enclosure, Entry

BASE = "https://news.example/2024/05/a.html"


def entry(**fields: object) -> Entry:
    return Entry(guid="g", link=BASE, title="t", **fields)  # type: ignore[arg-type]


def test_the_feed_declared_image_wins() -> None:
    declared = entry(enclosures=[Enclosure("https://cdn.example/photo.jpg", "image/jpeg")])
    html = '<p><img src="/big.jpg" width="800"></p>'
    assert pick_lead_image(declared, html, html, BASE) == "https://cdn.example/photo.jpg"
    assert pick_lead_image(entry(thumbnails=["https://cdn.example/t.jpg"]), html, html, BASE) == (
        "https://cdn.example/t.jpg"
    )


def test_content_images_skip_chrome_pixels_and_promos() -> None:
    html = (
        '<img src="/logo.png"><img src="/a.jpg" width="1" height="1">'
        '<div class="qrcode-box"><img src="/scan.jpg"></div>'
        '<img src="data:image/png;base64,AAAA"><img src="/story.jpg" width="640">'
    )
    assert content_images(html, BASE) == ["https://news.example/story.jpg"]


def test_a_content_image_must_survive_cleaning_to_lead() -> None:
    raw = '<img src="/gone.jpg"><img src="/kept.jpg">'
    clean = '<img src="https://news.example/kept.jpg">'
    assert pick_lead_image(entry(), raw, clean, BASE) == "https://news.example/kept.jpg"
    assert pick_lead_image(entry(), raw, "<p>no images</p>", BASE) is None
