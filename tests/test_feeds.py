"""Saved searches as RSS and Atom feeds: capability tokens, valid XML, conditional GET, manage page, OPML."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient

from index import open_index
from index.models import Amount, Record
from searchapp.saved import SavedSearches

PAVLODAR_TEXT = (
    "Павлодар облысындағы индустриалды аймақта жаңа алюминий зауыты іске қосылды. "
    "Жобаның жалпы құны 12 миллиард теңге. Зауытта үш жүз адам жұмыс істейді."
)


def make_record(
    rid: str,
    title: str,
    text: str,
    *,
    lang: str = "kk",
    published: str = "2025-02-10T16:17",
    source: str = "ertis.example",
    regions: tuple[str, ...] = ("KZ-55",),
) -> Record:
    return Record(
        id=rid,
        url=f"http://{source}/news/{rid}.html",
        source=source,
        title=title,
        lead=text.split(". ")[0],
        text=text,
        lang=lang,
        published=published,
        fetched_at="2025-02-11T08:00:00+00:00",
        paragraph_langs=[lang],
        regions=list(regions),
        sectors=["C", "C24"],
        countries=["CN"],
        amounts=[Amount(12e9, "KZT", 12e9, "12 миллиард теңге")],
    )


def add(app: Flask, *records: Record) -> None:
    index = open_index(app.config["PATHS"].index)
    try:
        index.add(records)
    finally:
        index.close()


@pytest.fixture
def feed_app(app: Flask) -> Flask:
    add(
        app,
        make_record("a1", "Павлодарда алюминий зауыты ашылды", PAVLODAR_TEXT, published="2025-02-10T16:17"),
        make_record(
            "a2",
            "В Павлодаре открыли завод по выпуску алюминиевых профилей",
            "В Павлодарской области в индустриальной зоне открыли завод. Проект стоит 12 млрд тенге.",
            lang="ru",
            published="2025-03-01T09:00",
            source="sarbiz.example",
        ),
        make_record(
            "a3",
            "Түркістанда мақта зауыты салынады",
            "Түркістан облысында мақта өңдейтін зауыт салынады. Құрылысқа 5 млрд теңге бөлінді.",
            regions=("KZ-61",),
            published="2024-12-01T10:00",
        ),
    )
    return app


def save(client: FlaskClient, **body: object) -> dict[str, str]:
    response = client.post("/api/saved-searches", json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert set(data) >= {"id", "rss", "atom", "manage"}
    return data


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def token_of(url: str) -> str:
    return path_of(url).rsplit("/", 1)[-1].split(".")[0]


def test_saving_answers_unguessable_capability_urls(feed_app: Flask) -> None:
    client = feed_app.test_client()
    first = save(client, name="Павлодар", q="зауыт", region=["KZ-55"])
    second = save(client, name="Павлодар 2", q="зауыт", region=["KZ-55"])
    for data in (first, second):
        assert len(token_of(data["rss"])) >= 22  # 128 bits in URL-safe base64
        assert len(token_of(data["manage"])) >= 22
        assert token_of(data["rss"]) != token_of(data["manage"])
    assert token_of(first["rss"]) != token_of(second["rss"])
    assert first["id"] != second["id"]
    assert len(first["id"]) == 16  # a digest prefix, not a sequential number


def test_rss_and_atom_parse_cleanly_newest_first(feed_app: Flask) -> None:
    client = feed_app.test_client()
    data = save(client, name="Павлодар заводтары", region=["KZ-55"])
    rss = client.get(path_of(data["rss"]))
    assert rss.status_code == 200
    assert rss.mimetype == "application/rss+xml"
    parsed = feedparser.parse(rss.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert [e.id for e in parsed.entries] == ["urn:kzpress:article:a2", "urn:kzpress:article:a1"]
    first = parsed.entries[0]
    assert first.link == "http://sarbiz.example/news/a2.html"
    assert first.published_parsed[:3] == (2025, 3, 1)
    assert {t.term for t in first.tags} >= {"KZ-55", "C24", "CN", "ru"}

    atom = client.get(path_of(data["atom"]))
    parsed = feedparser.parse(atom.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.id for e in parsed.entries] == ["urn:kzpress:article:a2", "urn:kzpress:article:a1"]
    entry = parsed.entries[1]
    assert entry.updated_parsed is not None and entry.published_parsed is not None
    assert any(link.rel == "via" and "/a1" in link.href for link in entry.links)
    assert entry.get("language", "kk") == "kk"


def test_entry_ids_survive_reindexing(feed_app: Flask) -> None:
    client = feed_app.test_client()
    data = save(client, region=["KZ-55"])
    before = [e.id for e in feedparser.parse(client.get(path_of(data["atom"])).data).entries]
    add(feed_app, make_record("a1", "Павлодарда алюминий зауыты ашылды", PAVLODAR_TEXT + " Жаңартылды."))
    after = [e.id for e in feedparser.parse(client.get(path_of(data["atom"])).data).entries]
    assert before == after


def test_conditional_requests_get_304_and_change_when_the_index_does(feed_app: Flask) -> None:
    client = feed_app.test_client()
    data = save(client, region=["KZ-55"])
    url = path_of(data["rss"])
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304

    add(
        feed_app,
        make_record(
            "a4", "Екібастұзда жаңа көмір разрезі", "Екібастұзда көмір өндірісі кеңейеді.", published="2025-04-02T11:00"
        ),
    )
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert feedparser.parse(changed.data).entries[0].id == "urn:kzpress:article:a4"


def test_since_limits_entries(feed_app: Flask) -> None:
    client = feed_app.test_client()
    data = save(client, region=["KZ-55"])
    parsed = feedparser.parse(client.get(path_of(data["rss"]) + "?since=2025-02-15").data)
    assert [e.id for e in parsed.entries] == ["urn:kzpress:article:a2"]
    assert client.get(path_of(data["rss"]) + "?since=soon").status_code == 400


def test_wrong_and_deleted_tokens_look_the_same(feed_app: Flask) -> None:
    client = feed_app.test_client()
    data = save(client, q="зауыт")
    wrong = client.get("/feeds/AAAAAAAAAAAAAAAAAAAAAA.rss")
    manage_page = client.get(path_of(data["manage"]))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', manage_page.get_data(as_text=True))
    assert csrf is not None
    deleted = client.post(path_of(data["manage"]), data={"csrf_token": csrf.group(1), "action": "delete"})
    assert deleted.status_code == 303
    gone = client.get(path_of(data["rss"]))
    assert wrong.status_code == gone.status_code == 404
    # the same page, but for the echoed address (language links): nothing tells a deleted token from a wrong one
    same_wrong = wrong.get_data(as_text=True).replace("AAAAAAAAAAAAAAAAAAAAAA", "TOKEN")
    same_gone = gone.get_data(as_text=True).replace(token_of(data["rss"]), "TOKEN")
    assert same_wrong == same_gone


def test_broken_filters_still_give_a_valid_feed_with_a_notice(feed_app: Flask) -> None:
    client = feed_app.test_client()
    data = save(client, q="зауыт")
    store = SavedSearches(feed_app.config["PATHS"].app_db)
    (saved_id,) = [s.id for s in [store.by_manage_token(token_of(data["manage"]))] if s is not None]
    store.update(saved_id, params={"q": "зауыт", "date_from": "the day after tomorrow"})
    parsed = feedparser.parse(client.get(path_of(data["atom"]), headers={"Accept-Language": "en"}).data)
    assert parsed.bozo == 0
    assert len(parsed.entries) == 1
    assert "no longer work" in parsed.entries[0].summary
    assert "date_from" in parsed.entries[0].summary
    russian = feedparser.parse(client.get(path_of(data["atom"]), headers={"Accept-Language": "ru"}).data)
    assert "больше не работают" in russian.entries[0].summary


def test_creation_is_rate_limited_and_needs_json(data_dir: Path) -> None:
    from searchapp import create_app

    app = create_app({"data": str(data_dir), "TESTING": True, "saved_search_rate": 2})
    client = app.test_client()
    assert client.post("/api/saved-searches", json={"q": "a"}).status_code == 201
    assert client.post("/api/saved-searches", json={"q": "b"}).status_code == 201
    limited = client.post("/api/saved-searches", json={"q": "c"})
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "rate_limited"
    form = client.post("/api/saved-searches", data={"q": "d"})
    assert form.status_code == 415
    bad = client.post("/api/saved-searches", json={"q": "a", "region": "<script>"})
    assert bad.status_code in (400, 429)


def test_bad_filters_are_refused_when_saving(feed_app: Flask) -> None:
    response = feed_app.test_client().post("/api/saved-searches", json={"q": "a", "amount_min": "lots"})
    assert response.status_code == 400
    assert "amount_min" in response.get_json()["error"]["message"]


def test_manage_page_renames_with_csrf_only(feed_app: Flask) -> None:
    client = feed_app.test_client()
    data = save(client, name="Old name", q="зауыт")
    manage = path_of(data["manage"])
    refused = client.post(manage, data={"name": "New name", "q": "зауыт"})
    assert refused.status_code == 400
    page = client.get(manage).get_data(as_text=True)
    assert "Old name" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    done = client.post(manage, data={"csrf_token": token.group(1), "name": "New name", "q": "алюминий"})
    assert done.status_code == 303
    page = client.get(manage).get_data(as_text=True)
    assert "New name" in page
    assert 'value="алюминий"' in page
    # the feed follows the changed query
    parsed = feedparser.parse(client.get(path_of(data["rss"])).data)
    assert [e.id for e in parsed.entries] == ["urn:kzpress:article:a1"]


def test_manage_page_labels_the_filters_in_the_ui_language(feed_app: Flask) -> None:
    client = feed_app.test_client()
    manage = path_of(save(client, q="зауыт")["manage"])
    for ui, region, amount in (("kk", "Өңір", "Бастап, ₸"), ("en", "Region", "From, ₸"), ("ru", "Регион", "От, ₸")):
        page = client.get(f"{manage}?ui={ui}").get_data(as_text=True)
        label = re.search(r'<label for="f-region">([^<]+)<code>region</code>', page)
        assert label is not None and label.group(1).strip() == region
        assert re.search(rf'<label for="f-amount_min">{re.escape(amount)} <code>', page)


def test_form_save_sets_owner_and_opml_lists_the_feeds(feed_app: Flask) -> None:
    client = feed_app.test_client()
    client.get("/feeds/opml")  # no cookie yet: an empty list, not an error
    page = client.get(path_of(save(client, q="x")["manage"])).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    for name in ("Павлодар", "Түркістан"):
        response = client.post("/feeds/save", data={"csrf_token": token.group(1), "name": name, "q": "зауыт"})
        assert response.status_code == 303
    opml = client.get("/feeds/opml").get_data(as_text=True)
    assert opml.count("<outline") == 2
    assert "Павлодар" in opml and "Түркістан" in opml
    feed_url = re.search(r'xmlUrl="([^"]+)"', opml)
    assert feed_url is not None
    assert client.get(path_of(feed_url.group(1))).status_code == 200
    other = feed_app.test_client()
    assert other.get("/feeds/opml").get_data(as_text=True).count("<outline") == 0


def test_admin_actions_are_off_without_a_token(feed_app: Flask) -> None:
    client = feed_app.test_client()
    assert client.post("/api/admin/reindex").status_code == 404
    assert client.delete("/api/admin/saved-searches/0123456789abcdef").status_code == 404


def test_admin_deletes_any_saved_search_with_the_token(data_dir: Path) -> None:
    from searchapp import create_app

    app = create_app({"data": str(data_dir), "TESTING": True, "admin_token": "s3cret-admin"})
    client = app.test_client()
    data = save(client, q="зауыт")
    url = f"/api/admin/saved-searches/{data['id']}"
    assert client.delete(url).status_code == 403
    assert client.delete(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.delete(url, headers={"Authorization": "Bearer s3cret-admin"}).status_code == 200
    assert client.get(path_of(data["rss"])).status_code == 404
    assert client.delete(url, headers={"Authorization": "Bearer s3cret-admin"}).status_code == 404


def test_the_current_search_has_a_feed_without_saving(feed_app: Flask) -> None:
    client = feed_app.test_client()
    response = client.get("/feeds/search.atom?region=KZ-55&q=зауыт")
    assert response.status_code == 200
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0
    assert parsed.feed.id.startswith("urn:kzpress:search:")
    assert [e.id for e in parsed.entries][-1] == "urn:kzpress:article:a1"
    again = client.get("/feeds/search.atom?q=зауыт&region=KZ-55")
    assert feedparser.parse(again.data).feed.id == parsed.feed.id
    assert client.get("/feeds/search.rss?amount_min=lots").status_code == 400


def test_a_huge_body_is_refused_before_it_is_read(feed_app: Flask) -> None:
    response = feed_app.test_client().post(
        "/api/saved-searches", data=b'{"q": "' + b"x" * 2_000_000 + b'"}', content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
