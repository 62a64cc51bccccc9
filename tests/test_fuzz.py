"""Fuzzing with hypothesis: hostile and random input to every parser that reads what others write.

Targets: the request parser (`searchapp.query.parse_request`), the API and UI search routes through Flask's
test client on a real index, the feed XML builder, the HTML extractor, the date parser and the amount parser.
Each target may only answer in its documented ways (a value, or `AppError` / a 4xx for the request parser);
any other exception fails, and so does any single input that takes longer than 1 s (`deadline=1000`).

Inputs are not only random text: each strategy mixes random characters with the fragments its parser looks
for (month names, currency words, tags, facet codes, control characters, surrogates), so that the interesting
branches run. `EXAMPLES` gives the number of examples per target; the total is over 10,000 (see
`test_total_examples_over_ten_thousand`) and runs in about a minute on a busy 2-core machine.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from searchapp.errors import AppError
from searchapp.query import FACET_PARAMS, parse_request, request_params

# Examples per target; their sum is the fuzzing budget of one CI run (asserted below).
EXAMPLES = {
    "parse_request": 1800,
    "urls": 800,
    "parse_request_roundtrip": 800,
    "api_search": 700,
    "ui_search": 250,
    "index_query": 600,
    "feed_xml": 1500,
    "extract_html": 400,
    "extract_bytes": 300,
    "dates": 1600,
    "dates_iso": 800,
    "amounts": 1600,
}


def fuzz(target: str) -> Any:
    """Settings of one fuzz target: its example budget, a 1 s deadline per input, no example database."""
    return settings(
        max_examples=EXAMPLES[target],
        deadline=1000,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def test_total_examples_over_ten_thousand() -> None:
    assert sum(EXAMPLES.values()) > 10_000


# --- strategies ------------------------------------------------------------------------------------------

# Characters that break naive code: controls, NUL, surrogates are excluded by st.text by default, so add
# the XML-illegal controls, bidi marks, soft hyphen, zero-width, Kazakh letters and look-alikes explicitly.
ODD_CHARS = "\x00\x01\x08\x0b\x0c\x1b\x7f\u00ad\u200b\u200e\u202e\ufeff\ufffe\uffff"
KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
noise = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(ODD_CHARS + KAZAKH), max_size=40)


def mixed(fragments: list[str], max_parts: int = 12) -> st.SearchStrategy[str]:
    """Random text interleaved with fragments a parser reacts to."""
    part = st.sampled_from(fragments) | noise | st.sampled_from([" ", "  ", "\n", "\xa0", ",", ".", "-"])
    return st.lists(part, max_size=max_parts).map("".join)


FACET_VALUES = ["KZ-61", "kz-75", "613600000", "C24", "c", "U99", "CN", "xx", "kk", "RU", "en", "ertis.kz",
                "2024", "20245", "a,b", ",", "KZ-61,KZ-75", "<script>", "' OR 1=1 --", "../../etc/passwd"]  # fmt: skip
NUMBERS = ["0", "-1", "1", "20", "100", "100000", "1e309", "nan", "inf", "-inf", "1 000", "1,5", "0x10", "٣",
           "1_000", "99999999999999999999999", "", " ", "12abc"]  # fmt: skip
DATES = ["2025-02-10", "2025-13-01", "2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31", "2025-2-1",
         "20250210", "2025-02-10T00:00", "", "today", "2025-02-10\x00"]  # fmt: skip
SORTS = ["relevance", "date", "amount", "DATE", " date ", "random", ""]
QUERIES = ["аймақ", "aimak", 'a"b', "(", ")", "*", "?", "AND", "OR NOT", "title:x", "field:", "~2", "^3", "[a TO",
           "{", "}", "\\", "/", "'", "\"\"", "-", "+", "<script>alert(1)</script>", "%00", "NOT", "a*b?c"]  # fmt: skip

param_value = (
    st.sampled_from(FACET_VALUES + NUMBERS + DATES + SORTS + QUERIES) | noise | mixed(QUERIES + FACET_VALUES, 5)
)
PARAM_NAMES = ["q", *FACET_PARAMS, "amount_min", "amount_max", "date_from", "date_to", "sort", "page", "per_page",
               "ui", "format", "since", "x"]  # fmt: skip
multidicts = st.lists(st.tuples(st.sampled_from(PARAM_NAMES) | noise, param_value), max_size=10).map(MultiDict)
plain_dicts = st.dictionaries(
    st.sampled_from(PARAM_NAMES),
    param_value | st.lists(param_value, max_size=3) | st.integers() | st.floats() | st.none(),
    max_size=8,
)


# --- the request parser ----------------------------------------------------------------------------------

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@fuzz("parse_request")
@given(params=multidicts | plain_dicts, lang=st.sampled_from(["en", "ru", "kk", "de"]))
def test_parse_request_answers_a_valid_request_or_a_user_error(params: Any, lang: str) -> None:
    try:
        req = parse_request(params, lang=lang, per_page_default=20, max_per_page=100, max_query_chars=1000)
    except AppError as exc:
        assert exc.status == 400
        assert exc.message and "Traceback" not in exc.message
        return
    assert len(req.q) <= 1000
    assert 1 <= req.page <= 10_000 and 1 <= req.per_page <= 100
    for name in ("date_from", "date_to"):
        value = getattr(req, name)
        assert value is None or _DAY.match(value)
    for name in ("amount_min", "amount_max"):
        value = getattr(req, name)
        assert value is None or value >= 0
    for name in FACET_PARAMS:
        values = getattr(req, name)
        assert len(values) == len(set(values))
        assert all(v and "," not in v for v in values)


@fuzz("parse_request_roundtrip")
@given(params=multidicts)
def test_request_params_reproduce_the_request(params: MultiDict[str, str]) -> None:
    """Links and saved searches are written with request_params: they must parse back to the same search."""
    try:
        req = parse_request(params)
    except AppError:
        return
    again = parse_request(request_params(req))
    for name in ("q", *FACET_PARAMS, "amount_min", "amount_max", "date_from", "date_to", "sort"):
        assert getattr(again, name) == getattr(req, name), name


# --- the API and UI through the app, on a real index -----------------------------------------------------


@pytest.fixture(scope="module")
def press_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """The app on a real index holding the web tests' sample corpus (built once for the module)."""
    from index import open_index
    from searchapp import create_app
    from tests.webfixtures import sample_records

    data = tmp_path_factory.mktemp("fuzzdata")
    index = open_index(data / "index")
    index.add(sample_records())
    app = create_app({"data": str(data), "TESTING": True, "ui_lang": "en"})
    app.extensions["searchapp.index"] = index
    yield app.test_client()
    index.close()


query_strings = st.lists(st.tuples(st.sampled_from(PARAM_NAMES) | noise, param_value), max_size=8)


@fuzz("api_search")
@given(pairs=query_strings)
def test_api_search_never_fails_on_user_input(press_client: FlaskClient, pairs: list[tuple[str, str]]) -> None:
    response = press_client.get("/api/search", query_string=pairs)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    body = json.loads(response.get_data(as_text=True))
    if response.status_code == 200:
        assert isinstance(body["total"], int) and body["total"] >= 0
        assert isinstance(body["results"], list) and len(body["results"]) <= body["per_page"]
    else:
        assert body["error"]["code"] and body["error"]["message"]


@fuzz("ui_search")
@given(pairs=query_strings)
def test_search_page_never_fails_on_user_input(press_client: FlaskClient, pairs: list[tuple[str, str]]) -> None:
    response = press_client.get("/", query_string=pairs)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


@pytest.fixture(scope="module")
def press_index(press_client: FlaskClient) -> Any:
    return press_client.application.extensions["searchapp.index"]


@pytest.fixture(scope="module")
def query_builder(press_index: Any) -> Any:
    from index.parse import QueryBuilder

    return QueryBuilder(press_index.schema)


INDEX_WORDS = ["облысында", "завод", "Түркістан", "aimak", "налог*", "region:KZ-61", '"жаңа зауыт"']
query_text = mixed([*QUERIES, *INDEX_WORDS], 8)


@fuzz("index_query")
@given(q=query_text, sort=st.sampled_from(["relevance", "date", "amount"]), any_word=st.booleans())
def test_index_answers_any_query_text(press_index: Any, query_builder: Any, q: str, sort: str, any_word: bool) -> None:
    """The index's own query parser (Whoosh syntax, aliases, wildcards) on any text: an answer, maybe a notice."""
    from index import QueryError
    from index.models import SearchRequest

    query_builder.parse(q, any_word=any_word)
    try:
        result = press_index.search(SearchRequest(q=q[:1000], sort=sort, per_page=5))
    except QueryError as exc:
        assert str(exc)
        return
    assert result.total >= len(result.hits)
    for hit in result.hits:
        assert "<script>" not in (hit.snippet or "")


# --- feed XML --------------------------------------------------------------------------------------------

feed_text = mixed(["<script>alert(1)</script>", "]]>", "&amp;", "&", "<", ">", '"', "'", "<![CDATA[", "--"], 8)
moments = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC))


@st.composite
def feeds(draw: st.DrawFn) -> Any:
    from searchapp import feedxml

    entries = [
        feedxml.Entry(
            id=f"urn:kzpress:article:{n}",
            title=draw(feed_text),
            link="https://example.kz/news/" + str(n),
            page="http://127.0.0.1/a/" + str(n),
            published=draw(moments),
            updated=draw(moments),
            summary=draw(feed_text),
            lang=draw(st.sampled_from(["kk", "ru", "en", ""])),
            sources=draw(st.lists(feed_text, max_size=3)),
            categories=[feedxml.Category("region", "KZ-61", draw(feed_text))],
        )
        for n in range(draw(st.integers(0, 3)))
    ]
    return feedxml.Feed(
        id="urn:kzpress:saved:1",
        title=draw(feed_text),
        subtitle=draw(feed_text),
        self_url="http://127.0.0.1/feeds/x.rss",
        html_url="http://127.0.0.1/?q=x&y=<z>",
        updated=draw(moments),
        lang="kk",
        entries=entries,
    )


def _xml_safe(text: str) -> str:
    """What a well-formed XML document can carry of `text`: XML 1.0 allows no C0 controls but tab/CR/LF, and a
    parser reads a raw CR or CRLF as LF (XML's end-of-line handling)."""
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


@fuzz("feed_xml")
@given(feed=feeds(), kind=st.sampled_from(["rss", "atom"]))
def test_feeds_are_well_formed_xml_for_any_text(feed: Any, kind: str) -> None:
    from searchapp import feedxml

    body = feedxml.rss(feed) if kind == "rss" else feedxml.atom(feed)
    root = ET.fromstring(body)  # a reader's parser: ill-formed XML would raise here
    titles = [el.text or "" for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "title"]
    assert _xml_safe(feed.title).strip() == titles[0].strip()
    assert all(el.tag.rsplit("}", 1)[-1] != "script" for el in root.iter())  # markup in text stays text


# --- extraction, dates, amounts ----------------------------------------------------------------------------

HTML_FRAGMENTS = [
    "<html>", "</html>", "<head>", "<title>", "</title>", "<body>", "<article>", "</article>", "<p>", "</p>",
    "<div class='article-body'>", "</div>", "<script>alert(1)</script>", "<!--", "-->", "<![CDATA[", "]]>",
    '<meta charset="koi8-r">', '<meta charset="bogus-charset">', '<meta property="article:published_time" content="',
    '">', "<time datetime='2025-02-10'>", "</time>", '<script type="application/ld+json">{"@type":"NewsArticle",',
    '"datePublished":"2025-99-99"', '"author":[{"name":', "}]}</script>", "<h1>", "</h1>", "<br>", "&nbsp;", "&#0;",
    "&#x110000;", "&bogus;", "<?xml version='1.0'?>", "<!DOCTYPE html>", "<table><tr><td>", "<a href='javascript:x'>",
    "<svg onload=alert(1)>", "10 ақпан 2025 жыл", "Түркістан облысында", "В Шымкенте 5 млн долларов",
    "<p>" + "Алматы облысында жаңа зауыт салынады. " * 12 + "</p>",
]  # fmt: skip
SENTENCES = ["Алматы облысында жаңа зауыт салынады, құрылысқа 9 млрд теңге бөлінеді.",
             "В Павлодарской области аграрии собрали рекордный урожай пшеницы.",
             "Шығыс Қазақстан облысында көмір өндіру өсті, Ресейге экспорт жалғасады.",
             "Инвестор из Узбекистана вложит 5 млн долларов в производство стройматериалов."]  # fmt: skip


@st.composite
def article_pages(draw: st.DrawFn) -> str:
    """A page shaped like a news article (so extraction gets past its first checks), with hostile pieces in it."""
    hostile = mixed(HTML_FRAGMENTS, 4)
    paragraphs = [
        " ".join(draw(st.lists(st.sampled_from(SENTENCES), min_size=2, max_size=5))) + draw(hostile)
        for _ in range(draw(st.integers(1, 6)))
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{draw(hostile)} | Ертіс таңы</title>"
        f"{draw(hostile)}</head><body><nav>{draw(hostile)}</nav><article><h1>{draw(hostile)}</h1>"
        f"<time datetime='{draw(st.sampled_from(DATES))}'>{draw(hostile)}</time>{body}</article>"
        f"<footer>{draw(hostile)}</footer></body></html>"
    )


html_docs = mixed(HTML_FRAGMENTS, 30) | article_pages()


@pytest.fixture(scope="module")
def extractor() -> Any:
    """extract_html, warmed up once so that the first example does not pay for imports and model loading."""
    from crawler.extract import extract_html

    extract_html("<html><body><p>" + "сөз " * 60 + "</p></body></html>", "https://example.kz/news/1.html")
    return extract_html


@fuzz("extract_html")
@given(doc=html_docs, url=st.sampled_from(["https://example.kz/news/1.html", "http://127.0.0.1:8101/a", "x"]))
def test_extract_html_returns_an_article_or_a_reason(extractor: Any, doc: str, url: str) -> None:
    result = extractor(doc, url)
    event("article" if result.article else "no article")
    if result.article is None:
        assert isinstance(result.reason, str) and result.reason
    else:
        article = result.article
        assert isinstance(article.title, str)
        assert article.paragraphs and all(isinstance(p.text, str) for p in article.paragraphs)


@fuzz("extract_bytes")
@given(
    body=st.binary(max_size=300) | html_docs.map(lambda s: s.encode("utf-8", "surrogatepass")),
    content_type=st.sampled_from(["text/html", "text/html; charset=windows-1251", "text/html; charset=nope", ""]),
)
def test_extract_html_decodes_any_bytes(extractor: Any, body: bytes, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else None
    result = extractor(body, "https://example.kz/news/2.html", headers)
    assert result.article is not None or result.reason


MONTHS = ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша",
          "желтоқсан", "января", "февраля", "мая", "декабря", "Qańtar", "aqpan", "March", "жыл", "жылы", "года", "г.",
          "ж.", "сағ.", "в", "10:15", "25:99", "0", "00", "29", "31", "32", "1999", "2025", "20255", "12.", ".",
          "/", "-", "10.02.2025", "31.02.2024", "2025-02-10T16:17:00+05:00"]  # fmt: skip
DATE_OUT = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2})?)?)?$")
TODAY = dt.date(2026, 1, 1)


def _check_date(value: str | None) -> None:
    if value is None:
        return
    assert DATE_OUT.match(value), value
    parts = value[:10].split("-")
    dt.date(
        int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1
    )  # a real calendar date
    assert value[:10] <= (TODAY + dt.timedelta(days=1)).isoformat()


@fuzz("dates")
@given(text=mixed(MONTHS, 14))
def test_dates_are_real_calendar_dates_or_none(text: str) -> None:
    from crawler.dates import find_dates, parse_date

    _check_date(parse_date(text, today=TODAY))
    for found in find_dates(text, today=TODAY):
        _check_date(found.value)
        assert 0 <= found.start <= found.end <= len(text)


@fuzz("dates_iso")
@given(text=mixed(MONTHS, 6) | st.sampled_from(DATES))
def test_iso_dates_are_real_calendar_dates_or_none(text: str) -> None:
    from crawler.dates import parse_iso

    _check_date(parse_iso(text, today=TODAY))


AMOUNT_FRAGMENTS = ["тенге", "теңге", "тг", "₸", "$", "€", "долларов", "доллар", "евро", "юаней", "рубль", "млрд",
                    "млн", "тыс.", "миллиард", "трлн", "мың", "миллион", "бір", "екі", "жүз", "сто", "двадцать",
                    "1", "120", "2,5", "1 000", "1\xa0000", "1.000.000", "999999999999999999999", "0", "-", "–",
                    "от", "до", "5-7", "1e9", "½", "٣", "USD", "KZT", "CNY", "  "]  # fmt: skip


@fuzz("amounts")
@given(text=mixed(AMOUNT_FRAGMENTS, 16), published=st.sampled_from([None, "2025-02-10", "1990", "bogus"]))
def test_amounts_have_positive_values_and_true_spans(text: str, published: str | None) -> None:
    from index.facets.amounts import find_amounts

    for amount in find_amounts(text, published):
        assert amount.value > 0 and amount.value == amount.value  # positive, not NaN
        assert re.match(r"^[A-Z]{3}$", amount.currency)
        assert amount.kzt is None or amount.kzt >= 0
        assert 0 <= amount.start < amount.end <= len(text)
        assert text[amount.start : amount.end] == amount.text


URL_FRAGMENTS = ["http://", "https://", "HTTP://", "ftp://", "file:///etc/passwd", "javascript:alert(1)", "//", "/",
                 "кітап.kz", "xn--80akp8a.kz", "пример.рф", "EXAMPLE.kz", "127.0.0.1", "[::1]", "[fe80::1%25eth0]",
                 ":8080", ":0", ":99999", ":-1", "@", "user:pass@", "/../", "/./", "%2e%2e", "%", "%zz", "?", "#",
                 "&", "=", "utm_source=x", "PHPSESSID=abc", ";jsessionid=1", "/news/", "a" * 9000, " ", "\t", "\\",
                 "ß", "ﬁ", "\u200b", "..", "a..b", "-a-.kz", "_", "*"]  # fmt: skip


@fuzz("urls")
@given(url=mixed(URL_FRAGMENTS, 8), base=st.sampled_from([None, "http://ertis.kz/news/a/", "https://кітап.kz/"]))
def test_url_normalisation_refuses_or_gives_one_spelling(url: str, base: str | None) -> None:
    """Odd URLs (8 KB+, IDN hosts, other schemes, bad ports) are refused with CrawlerError or normalised once."""
    from crawler.errors import CrawlerError
    from crawler.urls import normalize_url, trap_reason

    try:
        out = normalize_url(url, base)
    except CrawlerError as exc:
        assert str(exc)
        return
    assert out.startswith(("http://", "https://")) and out.isascii(), out
    assert len(out.encode()) <= 8192 * 3
    assert normalize_url(out) == out  # one spelling: normalising again changes nothing
    assert isinstance(trap_reason(out), str)
