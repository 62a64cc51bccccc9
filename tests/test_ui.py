"""The HTML pages through Flask's test client on a real index: results, facets, charts, article, export, i18n.

Pages are parsed with lxml and checked for what a reader relies on: every filter kept in every link, labels
in the chosen language, and nothing a user typed (or an article held) ever reaching the page as markup.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from index import Record, SearchIndex, SearchRequest
from searchapp import create_app
from searchapp.i18n import CATALOGUE, LANGS
from tests.webdata import XSS, visible_text


def parse(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def page(client: FlaskClient, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith("text/html")
    return parse(response.get_data(as_text=True))


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


# ----------------------------------------------------------------------- the catalogue


def test_every_message_exists_in_all_three_languages() -> None:
    missing = [(key, lang) for key, table in CATALOGUE.items() for lang in LANGS if not table.get(lang)]
    assert missing == []
    for key, table in CATALOGUE.items():
        fields = {lang: set(re.findall(r"{(\w+)", text)) for lang, text in table.items()}
        assert len({frozenset(f) for f in fields.values()}) == 1, f"{key}: placeholders differ {fields}"


def test_every_key_the_templates_use_is_in_the_catalogue() -> None:
    templates = Path(__file__).resolve().parent.parent / "templates"
    used: set[str] = set()
    for path in templates.glob("*.*"):
        used |= set(re.findall(r"_\('([a-z_]+)'\s*[,)]", path.read_text(encoding="utf-8")))
    assert used, "no translated strings found in templates"
    assert used - set(CATALOGUE) == set()


# ----------------------------------------------------------------------- the results page


def test_results_show_title_outlet_date_badge_snippet_tags_and_reprints(web: FlaskClient) -> None:
    doc = page(web, "/?q=зауыт&ui=en")
    hits = doc.select("ol.hits > li.hit")
    assert hits
    first = hits[0]
    assert "Түркістан облысында жаңа зауыт салынады" in first.select(".hit-title a")[0].get_text()
    assert first.select(".source")[0].get_text() in ("ontustik.kz", "ertis.kz")
    assert first.select("time")[0].get("datetime").startswith("2025-02-1")
    assert first.select(".badge")[0].get_text().strip() == "KK"
    marked = page(web, "/?q=завод").select(".hit .snippet mark")
    assert marked and marked[0].get_text() == "завод"
    assert "and 1 other outlet" in first.get_text()
    tags = {a.get_text(): a.get("title") for a in first.select("a.tag")}
    region_titles = [title for label, title in tags.items() if "Түркістан облысында" in (title or "")]
    assert region_titles, tags  # the phrase that justified the region, on hover
    assert first.select(".tag-amount")[0].get("title").replace("\u202f", " ") == "120 000 000 000 ₸"


def test_script_in_titles_text_and_query_never_comes_through(web: FlaskClient) -> None:
    for url in (f"/?q={XSS}", "/?q=налогах", "/articles/rec0007", f"/?q=x&region={XSS}", "/?source=batys.kz"):
        body = web.get(url).get_data(as_text=True)
        assert "<script>alert" not in body, url
        assert "<script" not in body.replace('<script src="/static/app.js" defer></script>', ""), url
    body = web.get("/?q=налогах").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # shown as text, as the article has it


def test_pages_carry_no_inline_script_or_style(web: FlaskClient) -> None:
    for url in ("/", "/?q=зауыт&chart=region", "/articles/rec0001", "/?amount_min=abc"):
        response = web.get(url)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        doc = parse(response.get_data(as_text=True))
        assert all(s.get("src") for s in doc.find_all("script")), url
        assert not doc.find_all("style"), url
        assert not doc.select("[style]"), url
        assert not [a for tag in doc.find_all(True) for a in tag.attrs if a.startswith("on")], url


def test_facet_sidebar_has_counts_and_trees(web: FlaskClient) -> None:
    closed = page(web, "/?ui=en").select("section.facet-region")[0]
    assert not closed.select("ul ul")  # districts appear once their region is chosen
    doc = page(web, "/?region=KZ-61&ui=en")
    region = doc.select("section.facet-region")[0]
    turkistan = [li for li in region.select("li") if "active" in li.select("a")[0].get("class")]
    assert len(turkistan) == 1 and "region" not in query_of(turkistan[0].select("a")[0].get("href"))
    nested = turkistan[0].select(":scope ul a")
    # the district under its region; choosing it replaces the region rather than OR-ing with it
    assert any(query_of(a.get("href"))["region"] == ["613600000"] for a in nested)
    sector = doc.select("section.facet-sector")[0]
    section_c = [li for li in sector.select("li") if query_of(li.select("a")[0].get("href"))["sector"] == ["C"]]
    assert {query_of(a.get("href"))["sector"][0] for a in section_c[0].select(":scope ul a")} >= {"C23", "C24"}
    everything = page(web, "/?ui=en")
    counts = {a.select(".facet-label")[0].get_text(): int(a.select(".count")[0].get_text())
              for a in everything.select("section.facet-lang a.facet-link")}  # fmt: skip
    assert counts["Russian"] == 3 and counts["English"] == 1
    assert doc.select("section.facet-source a.facet-link")
    assert doc.select("section.facet-country a.facet-link")


def test_outlets_are_named_from_the_sources_file(web: FlaskClient, data_dir: Path) -> None:
    (data_dir / "demo").mkdir(exist_ok=True)
    (data_dir / "demo" / "sources.toml").write_text(
        '[[source]]\nid = "ertis"\nname = "Ертіс таңы"\nlang = ["kk"]\nstart = ["https://ertis.kz/"]\n',
        encoding="utf-8",
    )
    doc = page(web, "/?source=ertis.kz&ui=en")
    outlets = [a.select(".facet-label")[0].get_text() for a in doc.select("section.facet-source a.facet-link")]
    assert "Ертіс таңы" in outlets and "batys.kz" in outlets  # a host no sources file names stays a host
    assert {s.get_text() for s in doc.select(".hit .source")} == {"Ертіс таңы"}
    assert any(c.get_text().startswith("Outlet: Ертіс таңы") for c in doc.select(".chips a"))
    api = web.get("/api/search?source=ertis.kz").get_json()["facets"]["source"]
    assert {"value": "ertis.kz", "label": "Ертіс таңы", "count": 2} in api


def test_region_labels_follow_the_ui_language(web: FlaskClient) -> None:
    kk = page(web, "/?ui=kk").select("section.facet-region .facet-label")
    ru = page(web, "/?ui=ru").select("section.facet-region .facet-label")
    assert len(kk) == len(ru)
    assert [e.get_text() for e in kk] != [e.get_text() for e in ru]


def test_clicking_a_facet_keeps_the_other_filters_and_counts_the_rest(web: FlaskClient) -> None:
    doc = page(web, "/?q=&region=KZ-61&lang=ru&sort=date&ui=en")
    links = [a for a in doc.select("section.facet-sector a.facet-link")]
    target = query_of(links[0].get("href"))
    assert target["region"] == ["KZ-61"]
    assert target["lang"] == ["ru"]
    assert target["sort"] == ["date"]
    # the language facet still lists Kazakh while Russian is chosen
    langs = {query_of(a.get("href")).get("lang", [""])[-1] for a in doc.select("section.facet-lang a.facet-link")}
    assert "kk" in langs
    active = doc.select("section.facet-lang a.active")
    assert active and active[0].get("aria-current") == "true"
    assert "lang" not in query_of(active[0].get("href"))  # clicking an active value removes it


def test_chips_remove_one_filter_each(web: FlaskClient) -> None:
    doc = page(web, "/?q=завод&region=KZ-61&lang=ru&amount_min=1000000&date_from=2024-01-01&ui=en")
    chips = {a.get_text().replace("×", "").strip(): query_of(a.get("href")) for a in doc.select(".chips a.chip")}
    assert len(chips) >= 6  # query, region, lang, amount, date, clear all
    language = next(v for k, v in chips.items() if k.startswith("Language"))
    assert "lang" not in language and language["region"] == ["KZ-61"] and language["q"] == ["завод"]
    amount = next(v for k, v in chips.items() if k.startswith("over"))
    assert "amount_min" not in amount and amount["date_from"] == ["2024-01-01"]
    query = next(v for k, v in chips.items() if k.startswith("query"))
    assert "q" not in query and query["lang"] == ["ru"]


def test_pagination_keeps_every_filter(web: FlaskClient) -> None:
    doc = page(web, "/?region=KZ-55&sort=date_asc&per_page=5&date_from=2023-01-01&ui=en")
    next_link = doc.select(".pagination a[rel=next]")[0].get("href")
    params = query_of(next_link)
    assert params == {"region": ["KZ-55"], "sort": ["date_asc"], "per_page": ["5"], "date_from": ["2023-01-01"],
                      "page": ["2"]}  # fmt: skip
    second = page(web, next_link)
    assert second.select(".page-current")[0].get_text() == "2"
    assert second.select(".pagination a[rel=prev]")
    first_titles = {a.get_text() for a in doc.select(".hit-title a")}
    second_titles = {a.get_text() for a in second.select(".hit-title a")}
    assert len(second_titles) == 5 and not first_titles & second_titles


def test_sort_control_and_order(web: FlaskClient) -> None:
    doc = page(web, "/?sort=date_asc")
    assert doc.select("select#sort option[selected]")[0].get("value") == "date_asc"
    dates = [t.get("datetime") for t in doc.select(".hit time")]
    assert dates == sorted(dates)
    assert len(doc.select("select#sort option")) == 4
    assert doc.select("label[for=sort]") and doc.select("label[for=q]")


def test_year_bars_are_links_that_filter(web: FlaskClient) -> None:
    doc = page(web, "/?lang=kk")
    bars = doc.select("section.facet-year svg a")
    years = {query_of(a.get("href"))["year"][0] for a in bars}
    assert years == {"2023", "2024", "2025"}
    for a in bars:
        assert query_of(a.get("href"))["lang"] == ["kk"]
    filtered = page(web, "/?lang=kk&year=2023")
    assert {t.get("datetime")[:4] for t in filtered.select(".hit time")} == {"2023"}


def test_amount_range_form_and_presets(web: FlaskClient) -> None:
    doc = page(web, "/?region=KZ-61&ui=ru")
    form = doc.select("section.facet-amount form")[0]
    hidden = {i.get("name"): i.get("value") for i in form.select("input[type=hidden]")}
    assert hidden == {"region": "KZ-61"}
    assert form.select("input[name=amount_min]") and form.select("input[name=amount_max]")
    presets = {a.get_text(): query_of(a.get("href")) for a in doc.select("section.facet-amount .presets a")}
    billion = presets["свыше 1 млрд ₸"]
    assert billion == {"region": ["KZ-61"], "amount_min": ["1000000000"]}
    result = page(web, "/?region=KZ-61&amount_min=100000000000")
    assert {a.get("href") for a in result.select(".hit-title a")} >= {"/articles/rec0008"}


def test_attention_chart_by_language_and_by_region(web: FlaskClient) -> None:
    doc = page(web, "/?ui=en")
    svg = doc.select("figure.attention svg")
    assert svg
    titles = [t.get_text() for t in svg[0].select("rect > title")]
    assert any(t.startswith("2025-02: Kazakh") for t in titles), titles[:5]
    table = doc.select("figure.attention details.chart-table table")[0]
    columns = [th.get_text() for th in table.select("thead th")]
    assert columns[0] == "Month" and "Kazakh" in columns
    rows = {
        tr.select("th")[0].get_text(): [int(td.get_text()) for td in tr.select("td")] for tr in table.select("tbody tr")
    }
    assert rows["2025-02"][columns.index("Kazakh") - 1] == 2  # the article and its reprint
    toggle = [a for a in doc.select("figure.attention .split a")]
    assert query_of(toggle[0].get("href"))["chart"] == ["region"]
    by_region = page(web, "/?chart=region&ui=en")
    titles = [t.get_text() for t in by_region.select("rect > title")]
    assert any(t.startswith("2025-02:") and "Kazakh" not in t for t in titles)
    assert page(web, "/?chart=region&page=1").select(".split-current")
    bad = page(web, "/?chart=<b>pie</b>&ui=en", status=400)
    assert "lang or region" in bad.get_text()


def test_no_results_and_empty_index_say_what_to_do(web: FlaskClient, data_dir: Path) -> None:
    nothing = page(web, "/?q=qwertyuiop&ui=en")
    assert "Nothing found" in nothing.get_text()
    # no column of empty facets beside it; the amount and date filters stay, and a chosen value stays visible
    assert not nothing.select(".facet-region, .facet-year, .facet-sector") and nothing.select(".facet-amount")
    assert page(web, "/?q=qwertyuiop&region=KZ-61&ui=en").select(".facet-region a.active")
    empty = create_app({"data": str(data_dir / "other"), "TESTING": True})
    doc = page(empty.test_client(), "/?ui=en")
    assert "searchapp crawl" in doc.get_text()
    index = empty.extensions.get("searchapp.index")
    if index is not None:
        index.close()


# ----------------------------------------------------------------------- bad input through the UI

BAD = [
    ("region=KZ-999", "region"),
    ("date_from=yesterday", "date_from"),
    ("amount_min=abc", "amount_min"),
    ("sort=<script>", "sort"),
    ("q=" + "й" * 10_240, "too long"),
    ("lang=xx", "lang"),
]


@pytest.mark.parametrize(("query", "fragment"), BAD)
def test_bad_input_gets_a_400_page_in_words(web: FlaskClient, query: str, fragment: str) -> None:
    response = web.get(f"/?{query}&ui=en")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert fragment in visible_text(text)
    assert "<script>" not in text.replace('<script src="/static/app.js" defer></script>', "")
    box = parse(text).select("form[role=search] input#q")
    assert box  # the user can fix the query and try again, with what they typed still in the box
    if query.startswith("q="):
        assert box[0].get("value") == query[2:][:1000]


def test_bad_input_page_speaks_the_ui_language(web: FlaskClient) -> None:
    response = web.get("/?amount_min=abc", headers={"Accept-Language": "kk"})
    assert response.status_code == 400
    assert "сан болуы керек" in visible_text(response.get_data(as_text=True))
    assert 'lang="kk"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "per_page=100000",
        'q="unbalanced',
        "q=(a OR",
        "q=a)",
        "q=NOT",
        "q=title:",
        f"q={XSS}",
        "page=99999",
        "region=kz-61",
    ],
)
def test_odd_input_is_clamped_or_repaired(web: FlaskClient, query: str) -> None:
    response = web.get(f"/?{query}")
    assert response.status_code == 200
    assert "<script>alert" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "ui", "notice"),
    [
        ('"завод', "ru", "В запросе ошибка синтаксиса (непарные кавычки); искали как простые слова."),
        ("(завод OR", "kk", "Сұрауда синтаксис қатесі бар (жақша жұбы жоқ); қарапайым сөздер ретінде ізделді."),
        ("завод NOT", "ru", "В запросе ошибка синтаксиса (NOT без слова после него); искали как простые слова."),
        ("завод зауыт", "kk", "Барлық сөз бірге кездесетін мақала жоқ; олардың кез келгені бар мақалалар көрсетілген."),
    ],
)
def test_repaired_queries_say_so_in_the_ui_language(web: FlaskClient, query: str, ui: str, notice: str) -> None:
    # xlang=0: завод and зауыт are each other's translation, so translated every article of either has "both"
    doc = page(web, f"/?q={query}&ui={ui}&xlang=0")
    assert doc.select(".notice")[0].get_text() == notice
    assert web.get(f"/api/search?q={query}&ui={ui}&xlang=0").get_json()["notice"] == notice


def test_unknown_pages_and_methods_are_translated(web: FlaskClient) -> None:
    assert "Такой страницы нет" in visible_text(web.get("/nowhere?ui=ru").get_data(as_text=True))
    assert web.post("/?ui=en").status_code == 405
    assert web.get("/articles/nope?ui=kk").status_code == 404


# ----------------------------------------------------------------------- the article page


def test_article_page_marks_the_evidence_and_escapes_everything(web: FlaskClient) -> None:
    doc = page(web, "/articles/rec0001?ui=en")
    marks = {m.get_text(): m.get("title") for m in doc.select(".body mark")}
    assert "Түркістан облысында" in marks and marks["Түркістан облысында"].startswith("Region")
    assert "Қытай инвесторлары" in marks and marks["Қытай инвесторлары"].startswith("Partner country")
    assert "120 млрд теңге" in marks
    facts = doc.select("ul.facts a.tag")
    assert {query_of(a.get("href")).get("country", [""])[0] for a in facts} >= {"CN"}
    anchors = [a.get("href") for a in doc.select("a.evidence-link")]
    assert anchors and all(doc.select(f"mark{h}") for h in anchors)
    original = doc.select("a.url")[0]
    assert original.get("href") == "https://ontustik.kz/news/1.html" and "noopener" in original.get("rel")
    assert doc.select("#group a")  # the reprint in the other outlet
    similar = page(web, "/articles/rec0010?ui=en")
    assert any("More like this" in h.get_text() for h in similar.find_all("h2"))
    assert len(similar.select("ul.similar a")) >= 3  # the other budget notes of the same outlet
    xss = web.get("/articles/rec0007").get_data(as_text=True)
    assert "<script>alert" not in xss and "&lt;script&gt;alert(1)&lt;/script&gt;" in xss


def test_back_to_search_returns_to_the_readers_query_and_filters(web: FlaskClient) -> None:
    came_from = "http://localhost/?q=%D1%82%D0%B5%D2%A3%D0%B3%D0%B5&region=KZ-61&page=2"
    doc = parse(web.get("/articles/rec0001?ui=en", headers={"Referer": came_from}).get_data(as_text=True))
    assert doc.select_one("p.back a").get("href") == "/?q=%D1%82%D0%B5%D2%A3%D0%B3%D0%B5&region=KZ-61&page=2"
    for elsewhere in ("https://evil.example/?q=x", "http://localhost/feeds/opml?x=1", ""):
        doc = parse(web.get("/articles/rec0001", headers={"Referer": elsewhere}).get_data(as_text=True))
        assert doc.select_one("p.back a").get("href") == "/"


def test_article_without_archive_says_so(web: FlaskClient) -> None:
    assert "No archived copy" in page(web, "/articles/rec0001?ui=en").get_text()
    assert web.get("/articles/rec0001/archived?ui=en").status_code == 404


def _archive_page(data_dir: Path, body: bytes) -> tuple[str, int]:
    from crawler.archive import ArchiveWriter, Exchange

    writer = ArchiveWriter(data_dir / "archive")
    try:
        return writer.write(
            Exchange(
                url="https://ontustik.kz/news/arch.html",
                request_headers=[("User-Agent", "test")],
                status=200,
                reason="OK",
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
                body=body,
                fetched_at="2025-02-10T08:00:00Z",
            )
        )
    finally:
        writer.close()


def test_archived_copy_is_served_sandboxed_from_the_warc(
    press_app: Flask, press_index: SearchIndex, records: list[Record], data_dir: Path
) -> None:
    body = "<html><body><h1>Архив бетi</h1><script>alert(1)</script></body></html>".encode()
    name, offset = _archive_page(data_dir, body)
    record = records[0]
    record.warc_file, record.warc_offset = name, offset
    press_index.add([record])
    client = press_app.test_client()
    doc = page(client, f"/articles/{record.id}?ui=en")
    frame = doc.select(".archived iframe")[0]
    assert frame.get("sandbox") in ("", [])  # present and empty: no allow-scripts, no allow-same-origin
    archived = client.get(frame.get("src"))
    assert archived.status_code == 200
    assert archived.data == body
    csp = archived.headers["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "script-src" not in csp and "default-src 'none'" in csp
    assert archived.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("warc_file", ["../../../etc/passwd", "/etc/passwd", "..", "x.warc.gz", ""])
def test_archived_copy_never_leaves_the_archive_folder(
    press_app: Flask, press_index: SearchIndex, records: list[Record], warc_file: str
) -> None:
    record = records[2]
    record.warc_file, record.warc_offset = warc_file, 0
    press_index.add([record])
    response = press_app.test_client().get(f"/articles/{record.id}/archived")
    assert response.status_code == 404
    assert b"root:" not in response.data


# ----------------------------------------------------------------------- export


def test_export_links_carry_the_search(web: FlaskClient) -> None:
    doc = page(web, "/?q=завод&region=KZ-61&sort=date")
    links = {a.get_text(): a.get("href") for a in doc.select(".export a")}
    assert {"CSV", "JSON"} <= set(links)
    assert urlsplit(links["CSV"]).path == "/export.csv"
    assert query_of(links["CSV"]) == {"q": ["завод"], "region": ["KZ-61"], "sort": ["date"]}


def test_search_page_offers_the_search_as_a_feed(web: FlaskClient) -> None:
    doc = page(web, "/?q=завод&region=KZ-61")
    alternates = {link.get("type"): link.get("href") for link in doc.select("head link[rel=alternate]")}
    assert set(alternates) == {"application/rss+xml", "application/atom+xml"}
    assert query_of(alternates["application/rss+xml"]) == {"q": ["завод"], "region": ["KZ-61"]}
    feed = web.get(alternates["application/atom+xml"])
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    assert "В Шымкенте откроют завод" in feed.get_data(as_text=True)
    assert {a.get_text() for a in doc.select(".export a")} == {"CSV", "JSON", "RSS", "Atom"}


def test_csv_export_streams_every_match_with_all_facet_fields(web: FlaskClient) -> None:
    response = web.get("/export.csv?region=KZ-61&sort=date")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {"id", "regions", "sectors", "countries", "amounts_kzt", "lang", "source", "published"} <= set(rows[0])
    assert {r["id"] for r in rows} >= {"rec0001", "rec0002", "rec0003", "rec0008"}  # reprints too: every match
    first = next(r for r in rows if r["id"] == "rec0001")
    with web.application.app_context():
        from searchapp.resources import outlet_names

        names = outlet_names()
    assert all(r["outlet"] == names.get(r["source"].lower(), r["source"]) for r in rows)
    assert first["regions"].split("; ")[:1] == ["KZ-61"] and "CN" in first["countries"]
    assert first["amounts_kzt"] == "120000000000"
    dates = [r["published"] for r in rows]
    assert dates == sorted(dates, reverse=True)


def test_csv_names_the_outlet_beside_its_host(press_index: SearchIndex) -> None:
    from searchapp.export import stream_csv

    records = list(press_index.iter_records(SearchRequest(source=["sarbiz.kz"], group=False), 2))
    text = "".join(stream_csv(records, {"sarbiz.kz": "Сарыарқа бизнес"}))
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows and all(r["source"] == "sarbiz.kz" and r["outlet"] == "Сарыарқа бизнес" for r in rows)


def test_json_export_is_one_valid_array(web: FlaskClient) -> None:
    response = web.get("/export.json?lang=ru")
    assert response.is_streamed
    items = json.loads(response.get_data(as_text=True))
    assert {i["id"] for i in items} == {"rec0003", "rec0004", "rec0007"}
    assert all("evidence" in i and "regions" in i for i in items)


def test_export_respects_the_limit_and_refuses_bad_input(data_dir: Path, press_index: SearchIndex) -> None:
    application = create_app({"data": str(data_dir), "TESTING": True, "export_limit": 3})
    application.extensions["searchapp.index"] = press_index
    client = application.test_client()
    rows = list(csv.reader(io.StringIO(client.get("/export.csv").get_data(as_text=True))))
    assert len(rows) == 1 + 3
    assert client.get("/export.csv?amount_min=abc").status_code == 400
    assert client.get("/export.json?date_to=tomorrow").status_code == 400


def test_csv_cells_cannot_become_spreadsheet_formulas(web: FlaskClient, press_index: SearchIndex,
                                                      records: list[Record]) -> None:  # fmt: skip
    record = records[3]
    record.title = '=HYPERLINK("http://evil")'
    press_index.add([record])
    rows = list(csv.DictReader(io.StringIO(web.get("/export.csv?source=sarbiz.kz&year=2023").get_data(as_text=True)
                                           .lstrip("\ufeff"))))  # fmt: skip
    title = next(r["title"] for r in rows if r["id"] == record.id)
    assert title.startswith("'=")


# ----------------------------------------------------------------------- language, OpenSearch


def test_language_switch_is_remembered_in_a_cookie(web: FlaskClient) -> None:
    doc = page(web, "/?q=зауыт")
    switch = {a.get("lang"): a.get("href") for a in doc.select("nav.langs a")}
    kk = web.get(switch["kk"])
    assert "ui_lang=kk" in kk.headers["Set-Cookie"]
    later = page(web, "/?q=зауыт")
    assert later.html.get("lang") == "kk"
    assert later.select("button[type=submit]")[0].get_text() == "Іздеу"
    assert query_of(switch["kk"])["q"] == ["зауыт"]  # the switch keeps the search


def test_every_ui_language_renders_every_page(web: FlaskClient) -> None:
    for lang in LANGS:
        for url in ("/", "/?q=зауыт&chart=region", "/articles/rec0001", "/?amount_min=x", "/missing"):
            response = web.get(f"{url}{'&' if '?' in url else '?'}ui={lang}")
            assert response.status_code in (200, 400, 404)
            assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_opensearch_description_is_linked_and_valid(web: FlaskClient) -> None:
    doc = page(web, "/")
    link = doc.select("link[rel=search]")[0]
    assert link.get("type") == "application/opensearchdescription+xml"
    response = web.get(link.get("href"))
    assert response.mimetype == "application/opensearchdescription+xml"
    from defusedxml import ElementTree

    root = ElementTree.fromstring(response.data)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    templates = [u.get("template") for u in root.findall("os:Url", ns)]
    assert "http://localhost/?q={searchTerms}" in templates
    assert root.find("os:ShortName", ns).text
