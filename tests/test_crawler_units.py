"""The crawler's pure parts: sources files, URL hygiene, charsets, robots rules, feed/sitemap parsing, fingerprints."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from crawler.charset import decode_body, detect_charset
from crawler.crawl import retry_after
from crawler.dedup import content_hash, hamming, near_duplicates, simhash
from crawler.discover import looks_like_xml_links, parse_html, parse_xml_links
from crawler.errors import CrawlerError
from crawler.robots import RobotsPolicy, agent_token, robots_text
from crawler.sources import SourcesError, command_line_source, load_sources
from crawler.urls import normalize_url, trap_reason


def test_bundled_sources_are_real_kazakhstan_outlets() -> None:
    sources = load_sources()
    hosts = {h for s in sources for h in s.hosts}
    for host in ("tengrinews.kz", "kz.kursiv.media", "www.inform.kz", "egemen.kz", "aikyn.kz", "www.zakon.kz"):
        assert host in hosts
    assert {"kk", "ru"} <= {lang for s in sources for lang in s.lang}
    assert not any(s.allow_private for s in sources)
    assert all(s.feeds and s.sitemaps and s.article_patterns for s in sources)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[[source]]\nid = 'x'\nstart = ['http://a.kz/']\ncolour = 'red'\n", "unknown field(s) colour"),
        ("[[source]]\nid = 'x'\nstart = ['http://a.kz/']\narticle_patterns = ['(']\n", "not a valid regex"),
        ("[[source]]\nid = 'Bad Id'\nstart = ['http://a.kz/']\n", "id must be"),
        ("[[source]]\nid = 'x'\n", "needs at least one start URL"),
        ("[[source]]\nid = 'x'\nstart = ['ftp://a.kz/']\n", "only http and https"),
        ("[[source]]\nid = 'x'\nstart = ['http://a.kz/']\ndelay = -1\n", "delay must be"),
        ("[[source]]\nid = 'x'\nstart = ['http://a.kz/']\n[[source]]\nid = 'x'\nstart = ['http://b.kz/']\n", "twice"),
        ("title = 'nothing here'\n", "no sources"),
        ("[[source]\nid = 'x'\n", "not valid TOML"),
    ],
)
def test_bad_sources_files_are_refused_in_words(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    assert fragment in str(info.value)


def test_missing_sources_file(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="not found"):
        load_sources(tmp_path / "nope.toml")


def test_command_line_urls_become_one_source_per_host() -> None:
    sources = command_line_source(["http://127.0.0.1:8101/", "http://127.0.0.1:8101/rss.xml", "https://тест.kz/"])
    assert len(sources) == 2
    assert all(s.allow_private and s.from_command_line for s in sources)
    assert sources[1].hosts == {"xn--e1aybc.kz"}


def test_normalize_url() -> None:
    assert (
        normalize_url("HTTP://Example.KZ:80/a/../b?utm_source=x&id=5&PHPSESSID=abc#top") == "http://example.kz/b?id=5"
    )
    assert normalize_url("https://КІТАП.kz/") == "https://xn--80atqk3h.kz/"  # IDN host in punycode
    assert (
        normalize_url("/news/жаңалық.html", "https://a.kz/x/")
        == "https://a.kz/news/%D0%B6%D0%B0%D2%A3%D0%B0%D0%BB%D1%8B%D2%9B.html"
    )
    assert normalize_url("https://a.kz/p;jsessionid=XYZ?q=1") == "https://a.kz/p?q=1"
    with pytest.raises(CrawlerError):
        normalize_url("http:///nohost")
    # A host ending in a space and a dot (found by the URL fuzzer) has one spelling; a space inside is refused.
    assert (
        normalize_url("http://xn--80akp8a.kz .") == normalize_url("http://xn--80akp8a.kz/") == "http://xn--80akp8a.kz/"
    )
    with pytest.raises(CrawlerError):
        normalize_url("http://a b.kz/")


@pytest.mark.parametrize(
    ("url", "trap"),
    [
        ("https://a.kz/news/2025/02/10/zauyt.html", ""),
        ("https://a.kz/news/1950.html", ""),  # an article id, not a year
        ("https://a.kz/ru/news/view/1899", ""),
        ("https://a.kz/arkhiv/?year=1800", "calendar beyond any real date"),
        ("https://a.kz/calendar/2025/03/", "calendar page"),
        ("https://a.kz/archive/2931/01/", "calendar beyond any real date"),
        ("https://a.kz/archive/1900/01/", "calendar beyond any real date"),
        ("https://a.kz/s?a=1&b=2&c=3&d=4&e=5", "too many query parameters"),
        ("https://a.kz/a/b/a/b/a/b/", "repeated path segments"),
        ("https://a.kz/" + "x/" * 20, "path too deep"),
    ],
)
def test_trap_rules(url: str, trap: str) -> None:
    assert trap_reason(url, now_year=2026) == trap


def test_charsets() -> None:
    text = "Жители Шымкента получили новые автобусы, сообщает акимат города."
    assert detect_charset(text.encode("cp1251")) == "cp1251"
    assert detect_charset(text.encode("koi8_r")) == "koi8-r"
    assert detect_charset(text.encode("utf-8")) == "utf-8"
    assert detect_charset(b'<meta charset="windows-1251">' + text.encode("cp1251")) == "cp1251"
    # bytes that are not UTF-8 are not read as UTF-8, whatever the header says (a wrong declaration)
    assert detect_charset(text.encode("cp1251"), "text/html; charset=utf-8") == "cp1251"
    assert detect_charset(text.encode("koi8_r"), "text/html; charset=koi8-r") == "koi8-r"  # a true one stands
    assert decode_body(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def test_robots_rules() -> None:
    policy = RobotsPolicy("User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n", agent_token("KzPressSearch/0.1 (+x)"))
    assert not policy.allowed("https://a.kz/private/x.html")
    assert policy.allowed("https://a.kz/news/x.html")
    assert policy.crawl_delay() == 2.0
    assert robots_text(404, b"Disallow: /") == ""  # a missing robots.txt is no rules
    assert robots_text(500, b"Disallow: /") == ""
    assert RobotsPolicy("", "KzPressSearch").allowed("https://a.kz/anything")


def test_retry_after() -> None:
    assert retry_after("120", 0.0) == 120.0
    assert retry_after("", 0.0) is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480.0) == 0.0
    assert retry_after("soon", 0.0) is None


def test_feeds_and_sitemaps() -> None:
    rss = b'<rss version="2.0"><channel><item><guid isPermaLink="true">https://a.kz/1</guid></item></channel></rss>'
    assert parse_xml_links(rss).urls == ["https://a.kz/1"]
    sitemap = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.kz/2</loc></url></urlset>'
    )
    assert parse_xml_links(gzip.compress(sitemap)).urls == ["https://a.kz/2"]
    assert looks_like_xml_links(sitemap) and not looks_like_xml_links(b"<!doctype html><html></html>", "text/html")
    assert parse_xml_links(b"<rss><broken").error.startswith("not well-formed")
    external = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset>&e;</urlset>'
    assert "unsafe" in parse_xml_links(external).error


def test_html_links_and_canonical() -> None:
    page = (
        b'<html><head><base href="https://a.kz/news/"><link rel="canonical" href="https://a.kz/news/x.html">'
        b'</head><body><a href="y.html">y</a><a rel="nofollow" href="z.html">z</a><a href="#top">t</a></body></html>'
    )
    links = parse_html(page)
    assert links.links == ["https://a.kz/news/y.html"]
    assert links.canonical == "https://a.kz/news/x.html"
    og = parse_html(b'<html><head><meta property="og:url" content="https://a.kz/o.html"></head></html>')
    assert og.canonical == "https://a.kz/o.html"
    assert parse_html(b'<meta name="robots" content="noindex, nofollow"><a href="/a">a</a>').links == []


def test_fingerprints() -> None:
    story = (
        "Павлодар облысында жаңа болат құю зауыты іске қосылды. Жоба құны 12 миллиард теңге, "
        "кәсіпорын 400 жұмыс орнын ашады. Зауыт жылына 200 мың тонна өнім шығарады деп күтілуде. "
        "Өнімнің басым бөлігі Қытай мен Өзбекстанға экспортталады."
    )
    reprint = story + " Дереккөз: Ертіс таңы."
    other = (
        "В Шымкенте открыли новый автобусный парк на 120 машин. Городской акимат выделил на проект "
        "4 миллиарда тенге, перевозчик обещает обновить маршруты до конца года."
    )
    assert near_duplicates(simhash(story), simhash(reprint))
    assert hamming(simhash(story), simhash(other)) > 12
    assert content_hash("Жаңа  зауыт!") == content_hash("жаңа зауыт")
    assert simhash("") == 0
    assert 0 <= simhash(story) < 2**64
