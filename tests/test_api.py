"""The JSON API of CONTRACT.md on a real index: shapes, every filter, labels, errors, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from index import Record, SearchIndex, SearchRequest
from tests.webdata import XSS

RESULT_KEYS = {"id", "url", "title", "source", "published", "lang", "regions", "sectors", "countries", "amounts"}


def ids(body: dict[str, Any]) -> set[str]:
    return {r["id"] for r in body["results"]}


def test_search_answers_the_contract_shape(web: FlaskClient) -> None:
    response = web.get("/api/search?q=завод")
    assert response.status_code == 200
    assert response.content_type.startswith("application/json")
    body = response.get_json()
    assert {"total", "page", "per_page", "results", "facets"} <= set(body)
    assert set(body["facets"]) >= {"region", "sector", "country", "lang", "source", "year"}
    assert body["total"] >= 1
    hit = body["results"][0]
    assert RESULT_KEYS | {"snippet"} <= set(hit)
    assert "<mark>" in hit["snippet"]
    for amount in hit["amounts"]:
        assert set(amount) == {"value", "currency", "kzt", "text"}
    for values in body["facets"].values():
        for value in values:
            assert set(value) == {"value", "label", "count"}


def test_empty_query_lists_every_article_newest_first(web: FlaskClient, records: list[Any]) -> None:
    body = web.get("/api/search?per_page=100").get_json()
    grouped = len(records) - 1  # the reprint pair folds into one hit
    assert body["total"] in (grouped, len(records))
    dates = [r["published"] for r in body["results"]]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("region=KZ-61", {"rec0003", "rec0008"}, {"rec0004", "rec0006"}),
        ("region=613600000", {"rec0001"}, {"rec0003"}),
        ("sector=C", {"rec0003"}, {"rec0006"}),
        ("sector=C24", set(), {"rec0003"}),
        ("country=CN", {"rec0008"}, {"rec0003"}),
        ("country=CN&country=UZ", {"rec0003", "rec0008"}, {"rec0005"}),
        ("lang=en", {"rec0008"}, {"rec0003"}),
        ("source=batys.kz", {"rec0003", "rec0007"}, {"rec0008"}),
        ("year=2023", {"rec0004"}, {"rec0003"}),
        ("amount_min=1000000000", {"rec0003", "rec0004", "rec0006", "rec0008"}, {"rec0005", "rec0007"}),
        ("amount_max=3000000000", {"rec0003", "rec0004"}, {"rec0006", "rec0008"}),
        ("amount_min=2400000000&amount_max=3000000000", {"rec0004"}, {"rec0006", "rec0003"}),
        ("date_from=2025-01-01", {"rec0006", "rec0008"}, {"rec0003"}),
        ("date_to=2023-12-31", {"rec0004"}, {"rec0006"}),
        ("region=KZ-61&lang=ru", {"rec0003"}, {"rec0008"}),
        ("region=KZ-61&country=CN&lang=en", {"rec0008"}, {"rec0003"}),
    ],
)
def test_every_filter_narrows_as_the_contract_says(
    web: FlaskClient, query: str, expected: set[str], absent: set[str]
) -> None:
    body = web.get(f"/api/search?per_page=100&{query}").get_json()
    found = ids(body)
    assert expected <= found
    assert not absent & found
    assert body["total"] == len(body["results"])


def test_reprints_fold_into_one_hit_with_the_other_outlets(web: FlaskClient) -> None:
    body = web.get("/api/search?sector=C24").get_json()
    assert body["total"] == 1
    hit = body["results"][0]
    assert hit["group"]["size"] == 2
    assert set(hit["group"]["sources"]) & {"ertis.kz", "ontustik.kz"}


def test_a_verbatim_reprint_is_led_by_the_copy_indexed_first(
    web: FlaskClient, records: list[Record], press_index: SearchIndex
) -> None:
    """Ranked by relevance, the copies of a verbatim reprint score alike before the recency prior, and the one
    indexed first stands for the group (as Whoosh's collapse keeps it), not the newer copy the prior favours: on
    the page and in a grouped stream of records."""
    texts = [r.text for r in records]
    twins = [r.id for r in records if texts.count(r.text) > 1]
    assert len(twins) == 2
    title = next(r.title for r in records if r.id == twins[0])
    ranked = [h["id"] for h in web.get("/api/search", query_string={"q": title}).get_json()["results"]]
    assert twins[0] in ranked and twins[1] not in ranked
    streamed = [r.id for r in press_index.iter_records(SearchRequest(q=title), 100)]
    assert twins[0] in streamed and twins[1] not in streamed  # grouped, a stream of matches folds as the page does
    exported = [row["id"] for row in web.get("/export.json", query_string={"q": title}).get_json()]
    assert twins[0] in exported and twins[1] in exported  # the export counts reprints too


def test_facet_counts_ignore_their_own_filter(web: FlaskClient) -> None:
    """Choosing lang=ru leaves the other languages counted (Datashare's way), while other facets narrow."""
    everything = web.get("/api/search").get_json()["facets"]
    only_ru = web.get("/api/search?lang=ru").get_json()["facets"]
    assert {v["value"] for v in only_ru["lang"]} == {v["value"] for v in everything["lang"]}
    ru_sources = {v["value"] for v in only_ru["source"]}
    assert "batys.kz" in ru_sources
    assert "ertis.kz" not in ru_sources  # ertis only writes in Kazakh


@pytest.mark.parametrize(("sort", "key"), [("date", "published"), ("date_asc", "published")])
def test_sorting_by_date(web: FlaskClient, sort: str, key: str) -> None:
    body = web.get(f"/api/search?sort={sort}&per_page=50").get_json()
    dates = [r[key] for r in body["results"]]
    assert dates == sorted(dates, reverse=sort == "date")


def test_sorting_by_largest_amount(web: FlaskClient) -> None:
    body = web.get("/api/search?sort=amount&per_page=5").get_json()
    largest = [max((a["kzt"] for a in r["amounts"]), default=0) for r in body["results"]]
    assert largest == sorted(largest, reverse=True)
    assert largest[0] == 300e6 * 470  # 300 million dollars at the fixture's rate


def test_pages_do_not_overlap(web: FlaskClient) -> None:
    first = web.get("/api/search?per_page=5&page=1&sort=date").get_json()
    second = web.get("/api/search?per_page=5&page=2&sort=date").get_json()
    assert len(first["results"]) == len(second["results"]) == 5
    assert not ids(first) & ids(second)
    assert first["total"] == second["total"]


def test_facet_labels_follow_the_ui_language(web: FlaskClient) -> None:
    kk = web.get("/api/search?ui=kk").get_json()["facets"]["lang"]
    en = web.get("/api/search?ui=en").get_json()["facets"]["lang"]
    assert {v["label"] for v in kk} >= {"қазақша", "орысша"}
    assert {v["label"] for v in en} >= {"Kazakh", "Russian"}
    region = web.get("/api/search?ui=ru").get_json()["facets"]["region"]
    assert all(v["label"] for v in region)


def test_ui_language_from_accept_language_then_remembered_in_a_cookie(web: FlaskClient) -> None:
    labels = {
        v["label"] for v in web.get("/api/search", headers={"Accept-Language": "kk"}).get_json()["facets"]["lang"]
    }
    assert "қазақша" in labels
    chosen = web.get("/api/search?ui=ru")
    assert "ui_lang=ru" in chosen.headers["Set-Cookie"]
    labels = {
        v["label"] for v in web.get("/api/search", headers={"Accept-Language": "en"}).get_json()["facets"]["lang"]
    }
    assert "русский" in labels  # the cookie wins over the browser's language


def test_article_has_the_full_record(web: FlaskClient) -> None:
    body = web.get("/api/articles/rec0001").get_json()
    assert RESULT_KEYS | {"text", "lead", "authors", "fetched_at"} <= set(body)
    assert body["text"].startswith("Түркістан облысында")
    assert body["regions"][:1] == ["KZ-61"]
    assert any(e["facet"] == "country" and e["code"] == "CN" for e in body["evidence"])


def test_unknown_article_is_a_json_404_in_the_ui_language(web: FlaskClient) -> None:
    response = web.get("/api/articles/nope?ui=ru")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found"
    assert "Статьи" in error["message"]


BAD_INPUT = [
    ("region=KZ-99x", 400),
    ("sector=ZZ", 400),
    ("lang=de", 400),
    ("country=<script>", 400),
    ("date_from=yesterday", 400),
    ("date_to=2025-13-45", 400),
    ("amount_min=abc", 400),
    ("amount_min=-5", 400),
    ("amount_max=inf", 400),
    ("amount_min=10&amount_max=5", 400),
    ("sort=random", 400),
    ("page=abc", 400),
    ("q=" + "x" * 10_240, 400),
]


@pytest.mark.parametrize(("query", "status"), BAD_INPUT)
def test_bad_input_is_a_4xx_json_error_never_a_500(web: FlaskClient, query: str, status: int) -> None:
    response = web.get(f"/api/search?{query}", headers={"Accept-Language": "kk"})
    assert response.status_code == status
    body = response.get_json()
    assert set(body["error"]) == {"code", "message"}
    assert "<script>" not in response.get_data(as_text=True)


def test_bad_input_message_is_in_the_ui_language(web: FlaskClient) -> None:
    assert "сан болуы керек" in web.get("/api/search?amount_min=abc&ui=kk").get_json()["error"]["message"]
    assert "должно быть числом" in web.get("/api/search?amount_min=abc&ui=ru").get_json()["error"]["message"]
    assert "must be a number" in web.get("/api/search?amount_min=abc&ui=en").get_json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "per_page=100000",
        'q="unbalanced',
        "q=(open AND",
        "q=close)",
        "q=NOT",
        "q=AND OR NOT",
        "q=title:",
        "q=*",
        f"q={XSS}",
        "q=%00%ff",
        "region=kz-61",
    ],
)
def test_odd_queries_answer_200(web: FlaskClient, query: str) -> None:
    response = web.get(f"/api/search?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["page"] >= 1
    assert 1 <= body["per_page"] <= 100


@pytest.mark.parametrize("query", ["region=KZ-98", "region=999999999", "sector=U99", "country=ZZ", "source=nowhere.kz"])
def test_well_formed_but_unknown_facet_values_find_nothing(web: FlaskClient, query: str) -> None:
    body = web.get(f"/api/search?{query}").get_json()
    assert body["total"] == 0 and body["results"] == []


def test_unknown_api_routes_answer_json_in_the_ui_language(web: FlaskClient) -> None:
    response = web.get("/api/nothing?ui=kk")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": "Мұндай бет жоқ."}}
    assert web.post("/api/search").get_json()["error"]["code"] == "method_not_allowed"


# ----------------------------------------------------------------------- the OpenAPI document


def test_openapi_documents_search_and_articles(web: FlaskClient) -> None:
    doc = web.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/api/search", "/api/articles/{id}"}


def test_every_documented_search_parameter_is_accepted(web: FlaskClient) -> None:
    doc = web.get("/api/openapi.json").get_json()
    parameters = doc["paths"]["/api/search"]["get"]["parameters"]
    names = {p["name"] for p in parameters}
    assert names >= {"q", "region", "sector", "country", "lang", "source", "amount_min", "amount_max", "date_from",
                     "date_to", "sort", "page", "per_page"}  # fmt: skip
    for parameter in parameters:
        example = parameter["example"]
        values = example if isinstance(example, list) else [example]
        query = "&".join(f"{parameter['name']}={v}" for v in values)
        response = web.get(f"/api/search?{query}")
        assert response.status_code == 200, (parameter["name"], response.get_json())
    # and an undocumented one changes nothing
    assert web.get("/api/search?frobnicate=1").status_code == 200


def _shape(value: Any) -> Any:
    """The structure of a JSON value: key sets of objects, element shapes of lists, types of scalars."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    if isinstance(value, bool | str):
        return type(value).__name__
    if isinstance(value, int | float):
        return "number"
    return "null"


def test_responses_match_the_documented_examples(web: FlaskClient) -> None:
    doc = web.get("/api/openapi.json").get_json()
    example = doc["paths"]["/api/search"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    real = web.get("/api/search?q=зауыт&region=KZ-61&country=CN").get_json()
    real_hit = dict(real["results"][0])
    real_hit.pop("group", None)  # optional: only reprinted articles have it
    assert _shape(real_hit) == _shape(example["results"][0])
    assert set(real) - {"notice", "expanded_facets", "expanded_capped"} == set(example)  # optional keys
    assert set(real["facets"]) == set(example["facets"])
    for name, values in example["facets"].items():
        assert _shape(real["facets"][name][:1]) == _shape(values[:1])

    article = doc["paths"]["/api/articles/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    real_article = web.get("/api/articles/rec0001").get_json()
    assert set(real_article) == set(article)
    for key in ("regions", "amounts", "evidence", "authors"):
        assert _shape(real_article[key]) == _shape(article[key])

    error = doc["paths"]["/api/search"]["get"]["responses"]["400"]["content"]["application/json"]["example"]
    assert _shape(web.get("/api/search?amount_min=abc").get_json()) == _shape(error)


def test_documented_schemas_require_what_answers_carry(web: FlaskClient) -> None:
    doc = web.get("/api/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    real = web.get("/api/search?q=зауыт").get_json()
    assert set(schemas["SearchResult"]["required"]) <= set(real)
    assert set(schemas["Result"]["required"]) <= set(real["results"][0])
    assert set(schemas["Article"]["required"]) <= set(web.get("/api/articles/rec0001").get_json())
