"""The demo press sites, over real HTTP on loopback: pages, feeds, sitemaps, robots.txt, encodings,
conditional GET, the crawler traps, publishing at runtime, and the bundled content itself."""

from __future__ import annotations

import gzip
import html
import re
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import httpx
import protego
import pytest

from searchapp.demo.content import ContentError, DemoArticle, load_articles
from searchapp.demo.outlets import OUTLETS, Site
from searchapp.demo.render import MONTHS_KK, MONTHS_RU
from searchapp.demo.sites import DemoSites, render
from tests.clusterfixtures import default_install_env
from tests.conftest import ROOT

CONTENT = ROOT / "searchapp" / "demo" / "content"
CONTENT_FILES = [
    "ertis.jsonl",
    "ontustik.jsonl",
    "sarbiz.kk.jsonl",
    "sarbiz.ru.jsonl",
    "batys.kk.jsonl",
    "batys.ru.jsonl",
]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
UA = "KzPressSearch"

# The boilerplate every article page carries, in its outlet's UI language.
FURNITURE = {
    "kk": ["USD 468.56", "CNY 67.18", "Бөлісу", "Тақырып бойынша", "Telegram арнамызға жазылыңыз", "cookie",
           "Пікір қалдыру", "Қате тапсаңыз, белгілеп ctrl+enter басыңыз", "Сурет әкімдіктің баспасөз қызметінен",
           "Барлық құқық қорғалған"],
    "ru": ["USD 468.56", "CNY 67.18", "Поделиться", "Читайте также", "ПОДПИСЫВАЙТЕСЬ НА НАС В TELEGRAM", "cookie",
           "Оставить комментарий", "Сообщите об ошибке: выделите текст и нажмите Ctrl+Enter",
           "Фото пресс-службы акимата", "Все права защищены"],
}  # fmt: skip
# A visible date on an article page, per outlet and language.
KK = "|".join(MONTHS_KK)
KK_CAP = "|".join(m.capitalize() for m in MONTHS_KK)
RU = "|".join(MONTHS_RU)
DATE_FORMATS = {
    ("ertis", "kk"): rf"\b\d{{1,2}} ({KK_CAP}), \d{{4}}\b",
    ("ontustik", "ru"): r"\b\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}\b",
    ("sarbiz", "ru"): rf"\b\d{{1,2}} ({RU}) \d{{4}}\b",
    ("sarbiz", "kk"): rf"\b\d{{4}} жылғы \d{{1,2}} ({KK})\b",
    ("batys", "kk"): rf"\b\d{{2}}:\d{{2}}, \d{{1,2}} ({KK_CAP}), \d{{4}}\b",
    ("batys", "ru"): rf"\b\d{{2}}:\d{{2}}, \d{{1,2}} ({RU}) \d{{4}}\b",
}


def content_complete() -> None:
    missing = [name for name in CONTENT_FILES if not (CONTENT / name).exists()]
    if missing:
        pytest.skip(f"content files not written yet: {', '.join(missing)}")


def page_text(response: httpx.Response) -> str:
    """The page as a reader sees it: decoded by its <meta charset> (the header may not say), entities resolved."""
    found = re.search(rb'<meta charset="([^"]+)"', response.content[:1024])
    return html.unescape(response.content.decode(found[1].decode() if found else "utf-8"))


def new_article(slug: str, **changes: object) -> DemoArticle:
    from datetime import datetime

    fields: dict[str, object] = {
        "outlet": "ertis",
        "slug": slug,
        "section": "ekonomika",
        "lang": "kk",
        "title": "Павлодарда жаңа зауыт ашылды",
        "lead": "Зауытқа 5 млрд теңге салынды.",
        "paragraphs": ("Бірінші абзац.", "Екінші абзац.", "Үшінші абзац."),
        "published": datetime(2027, 1, 15, 9, 30),
        "authors": ("Демо Автор",),
        "tags": ("зауыт",),
    }
    fields.update(changes)
    return DemoArticle(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def fresh_sites() -> Iterator[DemoSites]:
    """Sites of our own, because these tests publish articles (the session fixture stays pristine)."""
    with DemoSites() as sites:
        yield sites


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


# --- the bundled content -----------------------------------------------------------------------------


def test_bundled_content_is_big_bilingual_and_complete() -> None:
    content_complete()
    articles = [a for outlet in load_articles().values() for a in outlet]
    langs = Counter(a.lang for a in articles)
    assert len(articles) >= 60
    assert {a.outlet for a in articles} == {o.id for o in OUTLETS}
    assert langs["kk"] * 3 >= len(articles), langs
    assert langs["ru"] > 0
    hidden = Counter(a.outlet for a in articles if a.section == "arkhiv")
    assert all(hidden[o.id] >= 2 for o in OUTLETS), hidden
    assert {a.published.year for a in articles} >= {2018, 2024, 2025}
    assert any(a.reprint_of for a in articles)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "x.jsonl line 2: not JSON"),
        ('{"slug": "a"}', "x.jsonl line 2: missing field(s)"),
        ("[1, 2]", "x.jsonl line 2: each line must be a JSON object"),
    ],
)
def test_a_broken_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    good = (CONTENT / "ontustik.jsonl").read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "x.jsonl").write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_articles(tmp_path)
    assert message in info.value.message


def test_field_errors_are_explained(tmp_path: Path) -> None:
    import json

    good = json.loads((CONTENT / "ontustik.jsonl").read_text(encoding="utf-8").splitlines()[0])
    cases = {
        "published": ("10.02.2025", "published must be YYYY-MM-DDTHH:MM"),
        "slug": ("Bad Slug", "slug 'Bad Slug' must be lowercase"),
        "lang": ("en", "lang must be kk or ru"),
        "paragraphs": ([], "paragraphs must not be empty"),
        "reprint_of": ("nowhere", "reprint_of must be null"),
    }
    for name, (value, message) in cases.items():
        (tmp_path / "x.jsonl").write_text(json.dumps({**good, name: value}, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(ContentError, match=re.escape(message)):
            load_articles(tmp_path)
    (tmp_path / "x.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"x.jsonl line 2: slug .* already used at x.jsonl line 1"):
        load_articles(tmp_path)
    (tmp_path / "x.jsonl").unlink()
    (tmp_path / "x.kk.jsonl").write_text(json.dumps(good), encoding="utf-8")
    with pytest.raises(ContentError, match="lang is 'ru' but the file holds 'kk' articles"):
        load_articles(tmp_path)


# --- pages over HTTP ---------------------------------------------------------------------------------


def test_four_outlets_on_loopback(demo_sites: DemoSites) -> None:
    outlets = demo_sites.outlets
    assert [o.id for o in outlets] == ["ertis", "ontustik", "sarbiz", "batys"]
    assert len({o.base_url for o in outlets}) == 4
    assert all(o.base_url.startswith("http://127.0.0.1:") for o in outlets)


@pytest.mark.parametrize("outlet_id", [o.id for o in OUTLETS])
def test_front_and_article_pages_carry_story_furniture_and_dates(
    demo_sites: DemoSites, http: httpx.Client, outlet_id: str
) -> None:
    site = demo_sites.site(outlet_id)
    for lang in site.outlet.langs:
        visible = site.visible(lang)
        if not visible:
            continue
        front = http.get(site.url(site.outlet.front_path(lang)))
        assert front.status_code == 200
        assert visible[0].title in page_text(front)
        article = visible[0]
        page = http.get(site.article_url(article))
        assert page.status_code == 200
        text = page_text(page)
        for snippet in (article.title, article.lead, *article.paragraphs, *article.authors):
            assert snippet in text
        for piece in FURNITURE[lang]:
            assert piece in text, f"{outlet_id}/{lang}: {piece!r} missing"
        assert site.outlet.weather in text
        assert re.search(DATE_FORMATS[(outlet_id, lang)], text), f"{outlet_id}/{lang}: no date in the outlet format"
        related = site.related(article)
        assert related and all(r.title in text for r in related)


def test_each_outlet_has_its_own_markup(demo_sites: DemoSites, http: httpx.Client) -> None:
    pages = {
        o.id: page_text(http.get(demo_sites.site(o.id).article_url(demo_sites.site(o.id).articles[0]))) for o in OUTLETS
    }
    assert '"@type": "NewsArticle"' in pages["ertis"] and "<article" in pages["ertis"]
    assert '<meta charset="windows-1251">' in pages["ontustik"] and "<table" in pages["ontustik"]
    assert '<div class="news-detail">' in pages["sarbiz"]
    assert 'property="og:title"' in pages["batys"] and '<time class="entry-date published" datetime="' in pages["batys"]
    # An inline "read also" link between the paragraphs, as editors put it.
    assert 'class="read-also"' in pages["batys"]


def test_windows_1251_outlet_declares_charset_in_the_page_only(demo_sites: DemoSites, http: httpx.Client) -> None:
    site = demo_sites.site("ontustik")
    article = site.articles[0]
    response = http.get(site.article_url(article))
    assert "charset" not in response.headers["content-type"]
    assert response.headers["content-type"].startswith("text/html")
    body = response.content
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    decoded = html.unescape(body.decode("cp1251"))
    assert article.title in decoded
    assert article.paragraphs[0] in decoded
    feed = http.get(site.url(site.outlet.feed_path))
    assert feed.content.startswith(b"<?xml version='1.0' encoding='windows-1251'?>")


def test_pagination_and_missing_pages(demo_sites: DemoSites, http: httpx.Client) -> None:
    for outlet in OUTLETS:
        site = demo_sites.site(outlet.id)
        lang = outlet.default_lang
        listing, _ = site.lists[outlet.all_path(lang)]
        assert listing.pages >= 2, outlet.id
        second = outlet.page_path(listing.path, 2)
        first = http.get(site.url(listing.path))
        assert first.status_code == 200
        assert second.replace("&", "&amp;") in first.text or second in first.text
        page2 = page_text(http.get(site.url(second)))
        assert listing.articles[6].title in page2
        too_far = http.get(site.url(outlet.page_path(listing.path, listing.pages + 1)))
        assert too_far.status_code == 404
        assert http.get(site.url("/no/such/page.html")).status_code == 404


# --- feeds, sitemaps, robots.txt -------------------------------------------------------------------


@pytest.mark.parametrize("outlet_id", [o.id for o in OUTLETS])
def test_rss_feed_lists_the_latest_twenty(demo_sites: DemoSites, http: httpx.Client, outlet_id: str) -> None:
    site = demo_sites.site(outlet_id)
    response = http.get(site.url(site.outlet.feed_path))
    assert response.status_code == 200
    parsed = feedparser.parse(response.content, response_headers=dict(response.headers))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    latest = sorted((a for a in site.articles if a.section != "arkhiv"), key=lambda a: a.published, reverse=True)
    assert [e.link for e in parsed.entries] == [site.article_url(a) for a in latest[:20]]
    assert parsed.entries[0].title == latest[0].title
    assert parsed.entries[0].published_parsed is not None


def sitemap_urls(http: httpx.Client, url: str) -> list[str]:
    root = ET.fromstring(http.get(url).content)
    if root.tag == f"{SM}sitemapindex":
        children = [loc.text or "" for loc in root.iter(f"{SM}loc")]
        assert children
        return [u for child in children for u in sitemap_urls(http, child)]
    assert root.tag == f"{SM}urlset"
    return [loc.text or "" for loc in root.iter(f"{SM}loc")]


def test_sitemaps_list_every_article(demo_sites: DemoSites, http: httpx.Client) -> None:
    index = ET.fromstring(http.get(demo_sites.site("ertis").url("/sitemap.xml")).content)
    assert index.tag == f"{SM}sitemapindex"
    assert any(re.search(r"/sitemap-20\d\d\.xml$", loc.text or "") for loc in index.iter(f"{SM}loc"))
    for outlet in OUTLETS:
        site = demo_sites.site(outlet.id)
        urls = sitemap_urls(http, site.url("/sitemap.xml"))
        assert sorted(urls) == sorted(site.article_url(a) for a in site.articles)


@pytest.mark.parametrize("outlet_id", [o.id for o in OUTLETS])
def test_robots_txt_hides_the_archive_section(demo_sites: DemoSites, http: httpx.Client, outlet_id: str) -> None:
    site = demo_sites.site(outlet_id)
    robots = protego.Protego.parse(http.get(site.url("/robots.txt")).text)
    archived = [a for a in site.articles if a.section == "arkhiv"]
    assert len(archived) >= 2
    for article in archived:
        assert not robots.can_fetch(site.article_url(article), UA)
    expected = [e for e in demo_sites.expected_articles() if e.outlet == outlet_id]
    assert len(expected) == len(site.articles) - len(archived)
    assert all(robots.can_fetch(e.url, UA) for e in expected)
    assert robots.can_fetch(site.url("/"), UA)
    assert list(robots.sitemaps) == [site.url("/sitemap.xml")]


# --- HTTP semantics ------------------------------------------------------------------------------------


@pytest.mark.parametrize("outlet_id", [o.id for o in OUTLETS])
def test_conditional_get_answers_304(demo_sites: DemoSites, http: httpx.Client, outlet_id: str) -> None:
    site = demo_sites.site(outlet_id)
    for url in (site.article_url(site.articles[0]), site.url("/"), site.url(site.outlet.feed_path)):
        first = http.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert http.get(url).content == first.content  # deterministic
        by_tag = http.get(url, headers={"If-None-Match": etag})
        assert by_tag.status_code == 304 and by_tag.content == b""
        assert by_tag.headers["etag"] == etag
        assert http.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert http.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
        old = "Mon, 01 Jan 2001 00:00:00 GMT"
        assert http.get(url, headers={"If-Modified-Since": old}).status_code == 200


def test_gzip_when_the_client_accepts_it(demo_sites: DemoSites) -> None:
    site = demo_sites.site("ertis")
    url = site.article_url(site.articles[0])
    with httpx.Client(headers={"Accept-Encoding": "gzip"}) as client:
        with client.stream("GET", url) as response:
            raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["vary"] == "Accept-Encoding"
    assert site.articles[0].title in gzip.decompress(raw).decode("utf-8")
    with httpx.Client(headers={"Accept-Encoding": "identity"}) as client:
        plain = client.get(url)
    assert "content-encoding" not in plain.headers
    assert plain.headers["etag"] != response.headers["etag"]


def test_pages_are_the_same_bytes_on_every_run() -> None:
    articles = load_articles()
    for outlet in OUTLETS:
        one = Site.build(outlet, "http://127.0.0.1:8101", articles.get(outlet.id, []))
        two = Site.build(outlet, "http://127.0.0.1:8101", list(reversed(articles.get(outlet.id, []))))
        for target in ["/", "/robots.txt", "/sitemap.xml", outlet.feed_path, outlet.article_path(one.articles[0])]:
            assert render(one, target).body == render(two, target).body, (outlet.id, target)


# --- traps for crawlers --------------------------------------------------------------------------------


def test_calendar_runs_on_forever(demo_sites: DemoSites, http: httpx.Client) -> None:
    site = demo_sites.site("sarbiz")
    assert 'href="/calendar"' in http.get(site.url("/")).text
    month = "2025-03"
    for _ in range(15):
        page = http.get(site.url(f"/calendar?month={month}"))
        assert page.status_code == 200
        found = re.search(r'href="/calendar\?month=(\d{4}-\d{2})" *>[^<]*→', page.text)
        assert found, page.text[-2000:]
        month = found[1]
    assert month == "2026-06"
    assert http.get(site.url("/calendar?month=2025-13")).status_code == 404


def test_session_ids_in_links_of_the_old_cms(demo_sites: DemoSites, http: httpx.Client) -> None:
    site = demo_sites.site("ontustik")
    front = http.get(site.url("/")).text
    links = re.findall(r'href="(/[a-z0-9-]+/[a-z0-9-]+\.html\?sid=[0-9a-f]+)"', front)
    assert len(links) >= 5
    page = http.get(site.url(links[0]))
    assert page.status_code == 200
    clean = site.url(links[0].split("?")[0])
    assert f'<link rel="canonical" href="{clean}">' in page.text


# --- the sources file and the gold ---------------------------------------------------------------------


def test_sources_file_is_what_the_crawler_reads(demo_sites: DemoSites, tmp_path: Path) -> None:
    sources_module = pytest.importorskip("crawler.sources")  # the crawler's own reader, when it has landed
    path = demo_sites.write_sources(tmp_path / "demo" / "sources.toml")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert [s["id"] for s in raw["source"]] == ["ertis", "ontustik", "sarbiz", "batys"]
    sources = {s.id: s for s in sources_module.load_sources(path)}
    assert all(s.allow_private and s.delay == 0.0 for s in sources.values())
    for expected in demo_sites.expected_articles():
        assert sources[expected.outlet].is_article(expected.url), expected.url
    for outlet in OUTLETS:
        site = demo_sites.site(outlet.id)
        source = sources[outlet.id]
        not_articles = [site.url(outlet.front_path(lang)) for lang in outlet.langs]
        not_articles += [site.url(p) for p in list(site.lists)[:10]]
        not_articles += [site.url(outlet.feed_path), site.url("/sitemap.xml")]
        assert not any(source.is_article(u) for u in not_articles), outlet.id


def test_expected_articles_carry_gold(demo_sites: DemoSites) -> None:
    expected = demo_sites.expected_articles()
    assert expected
    assert all(e.article.section != "arkhiv" for e in expected)
    assert all(urlsplit(e.url).netloc == e.source for e in expected)
    reprints = [e for e in expected if e.article.reprint_of]
    assert reprints and all(e.reprint_of_url and e.reprint_of_url.startswith("http://127.0.0.1:") for e in reprints)
    with_amounts = [e for e in expected if e.expect.amounts]
    assert with_amounts


# --- publishing at runtime -------------------------------------------------------------------------------


def test_a_new_article_appears_in_feed_sitemap_and_front_page(fresh_sites: DemoSites, http: httpx.Client) -> None:
    site = fresh_sites.site("ertis")
    front_before = http.get(site.url("/"))
    feed_before = http.get(site.url("/rss.xml"))
    url = fresh_sites.add_article("ertis", new_article("zhana-zauyt-2027"))
    assert http.get(url).status_code == 200
    feed = feedparser.parse(http.get(site.url("/rss.xml")).content)
    assert feed.entries[0].link == url
    visible = [a for a in fresh_sites.site("ertis").articles if a.section != "arkhiv"]
    assert len(feed.entries) == min(20, len(visible))
    assert url in sitemap_urls(http, site.url("/sitemap.xml"))
    front = http.get(site.url("/"), headers={"If-None-Match": front_before.headers["etag"]})
    assert front.status_code == 200 and "Павлодарда жаңа зауыт ашылды" in front.text
    again = http.get(site.url("/rss.xml"), headers={"If-None-Match": feed_before.headers["etag"]})
    assert again.status_code == 200
    assert url in [e.url for e in fresh_sites.expected_articles()]
    with pytest.raises(ValueError, match="already has"):
        fresh_sites.add_article("ertis", new_article("zhana-zauyt-2027"))


def test_published_text_is_escaped(fresh_sites: DemoSites, http: httpx.Client) -> None:
    title = 'Зауыт <script>alert("x")</script> & «кен»'
    url = fresh_sites.add_article(
        "batys", new_article("escape-test-2027", title=title, lead="a < b & c", tags=("a&b",))
    )
    page = http.get(url, headers={"Accept-Encoding": "identity"}).text
    assert "<script>alert" not in page
    assert html.escape(title) in page
    feed = feedparser.parse(http.get(fresh_sites.site("batys").url("/feed/")).content)
    assert feed.bozo == 0 and feed.entries[0].title == title


def test_add_article_from_a_content_line(fresh_sites: DemoSites, http: httpx.Client) -> None:
    raw = {
        "slug": "shymkent-novyy-tsekh-2027",
        "section": "promyshlennost",
        "lang": "ru",
        "title": "В Шымкенте открыли новый цех",
        "lead": "Вложения составили 2 млрд тенге.",
        "paragraphs": ["Первый абзац.", "Второй абзац."],
        "published": "2027-02-01T10:00",
        "authors": [],
        "tags": [],
        "reprint_of": None,
        "expect": {"regions": ["KZ-79"]},
    }
    url = fresh_sites.add_article("ontustik", raw)
    assert "В Шымкенте открыли новый цех" in html.unescape(http.get(url).content.decode("cp1251"))
    with pytest.raises(ValueError, match="publishes in ru"):
        fresh_sites.add_article("ontustik", {**raw, "slug": "kk-2027", "lang": "kk"})


# --- searchapp demo ----------------------------------------------------------------------------------------


def test_demo_without_serving_crawls_and_indexes_then_reuses_the_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("index.whoosh.engine")  # the index lands with its own issue
    from index import SearchRequest, open_index
    from searchapp.cli import main

    data = tmp_path / "data"
    assert main(["demo", "--no-serve", "--data", str(data)]) == 0
    err = capsys.readouterr().err
    assert "sources written to" in err and "articles indexed" in err
    sources = tomllib.loads((data / "demo" / "sources.toml").read_text(encoding="utf-8"))
    assert len(sources["source"]) == 4
    index = open_index(data / "index")
    try:
        first = index.count()
        kk = index.search(SearchRequest(lang=["kk"], group=False)).total
        ru = index.search(SearchRequest(lang=["ru"], group=False)).total
    finally:
        index.close()
    assert first >= 60 and kk >= 20 and ru >= 20, (first, kk, ru)
    # A second run finds the same sites at the same addresses: nothing is indexed twice.
    assert main(["demo", "--no-serve", "--data", str(data)]) == 0
    assert tomllib.loads((data / "demo" / "sources.toml").read_text(encoding="utf-8")) == sources
    index = open_index(data / "index")
    try:
        assert index.count() == first
    finally:
        index.close()


@pytest.mark.slow
def test_demo_serves_the_search_ui_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    pytest.importorskip("index.whoosh.engine")
    pytest.importorskip("searchapp.server")
    import signal
    import subprocess
    import sys

    log = tmp_path / "demo.err"
    command = [sys.executable, "-m", "searchapp.cli", "demo", "--port", "0", "--data", str(tmp_path / "data")]

    # Ctrl-C as in a terminal: a job a non-interactive shell starts in the background (`.ci/run &`) inherits
    # SIGINT ignored, Python then installs no KeyboardInterrupt for it, and the demo would never see the signal.
    def default_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    # as on a machine with only the default install: no Java, no Maven, no opensearch-py, no engine setting
    env = default_install_env(tmp_path)
    with (
        log.open("w") as err,
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=err, text=True, preexec_fn=default_sigint, env=env
        ) as process,
    ):
        try:
            assert process.stdout is not None
            line = process.stdout.readline()  # blocks until the crawl is done and the UI listens
            found = re.search(r"Search the demo at (http://127\.0\.0\.1:\d+/)", line)
            assert found, line + log.read_text()
            with httpx.Client(base_url=found[1], timeout=30) as client:
                for lang, word in (("kk", "зауыт"), ("ru", "завод")):
                    answer = client.get("/api/search", params={"q": word, "lang": lang})
                    assert answer.status_code == 200
                    assert answer.json()["total"] > 0, (lang, word)
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0, log.read_text()
        finally:
            if process.poll() is None:
                process.kill()
    assert "Traceback" not in log.read_text()


def test_demo_sites_move_to_free_ports_when_theirs_are_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    from searchapp.commands.demo import start_sites
    from searchapp.paths import DataPaths

    paths = DataPaths(tmp_path / "data")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (paths.demo).mkdir(parents=True)
        (paths.demo / "sources.toml").write_text(
            f'[[source]]\nid = "ertis"\nname = "x"\nstart = ["http://127.0.0.1:{port}/"]\n', encoding="utf-8"
        )
        with start_sites(paths) as sites:
            ports = [urlsplit(o.base_url).port for o in sites.outlets]
            assert port not in ports and len(set(ports)) == 4
            assert http_ok(sites.outlets[0].base_url + "/robots.txt")
    assert f"ports {port}-{port + 3} are taken" in capsys.readouterr().err


def http_ok(url: str) -> bool:
    return httpx.get(url, timeout=10).status_code == 200
