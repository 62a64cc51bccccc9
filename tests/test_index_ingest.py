"""index.ingest.to_record: paragraph languages and facts of an extracted article, then indexed and found."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.models import Article, Paragraph
from index.ingest import paragraph_languages, to_record
from index.models import SearchRequest
from index.whoosh.engine import WhooshIndex


def article() -> Article:
    return Article(
        url="http://ertis.example/news/ekibastuz-zauyt.html",
        source="Ertis.Example",
        title="Екібастұзда жаңа зауыт салынады",
        paragraphs=[
            Paragraph(
                "Павлодар облысының Екібастұз қаласында ферросилиций зауыты салынады. Жобаға қытайлық "
                "инвестор 12 миллиард теңге бөледі.",
                "kk",
            ),
            Paragraph("«Это важный шаг для всего региона», — сказал аким области на встрече с инвесторами.", "kk"),
            Paragraph("Зауытта төрт жүз адам жұмыс істейді.", ""),
        ],
        lang="kk",
        published="2025-02-10T16:17",
    )


def test_to_record_routes_paragraph_languages_and_finds_facts() -> None:
    record = to_record(article())
    assert record.id == article().id
    assert record.source == "ertis.example"
    assert record.paragraph_langs == ["kk", "ru", "kk"]  # the Russian quote is Russian, whatever extraction said
    assert "KZ-55" in record.regions
    assert "CN" in record.countries
    assert any(a.currency == "KZT" and a.kzt == 12e9 for a in record.amounts)
    assert record.evidence
    assert record.group_id == ""  # decided when it is added


def test_a_record_from_ingest_is_found_by_its_russian_quote_and_its_region(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "index")
    ix.add([to_record(article())])
    assert [h.record.id for h in ix.search(SearchRequest(q="важного шага")).hits] == [article().id]
    assert ix.search(SearchRequest(region=["KZ-55"], amount_min=1e10)).total == 1
    ix.close()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" a\u00a0\n\tб.", max_size=12))
def test_a_paragraph_is_asked_its_language_from_three_words(text: str) -> None:
    """Under three words a paragraph keeps the language extraction gave it (the count stops at the third word)."""
    langs = paragraph_languages(
        Article(url="http://x.kz/a", source="x.kz", title="", paragraphs=[Paragraph(text, "zz")], lang="kk")
    )
    if len(text.split()) < 3:
        assert langs == ["zz"]
    else:
        from crawler.langid import detect

        assert langs == [detect(text) or "zz"]


def partner_article() -> Article:
    """A Turkish partner's story with a Ukrainian paragraph (our own sentences)."""
    return Article(
        url="http://ertis.example/tr/yatirim.html",
        source="ertis.example",
        title="Türk şirketi Pavlodar'da yeni bir fabrika kuruyor",
        paragraphs=[
            Paragraph("Türk şirketi Pavlodar bölgesinde yeni bir çimento fabrikası kurmayı planlıyor.", ""),
            Paragraph("Fabrikada dört yüz kişi çalışacak ve üretimin yarısı ihraç edilecek.", ""),
            Paragraph("Українська компанія також планує відкрити своє представництво в цьому місті.", ""),
        ],
        lang="",
        published="2025-03-01",
    )


def test_a_neighbour_language_is_its_own_code_and_never_stemmed_as_kazakh_or_russian(tmp_path: Path) -> None:
    from index.document import index_document
    from searchapp.records import facet_label

    record = to_record(partner_article())
    assert record.paragraph_langs == ["tr", "tr", "uk"]
    assert record.lang == "tr"
    document = index_document(record)
    assert "çimento" in document["body_other"] and "Українська" in document["body_other"]
    assert document["title_other"] == record.title
    assert not any(document.get(f) for f in ("body_kk", "body_ru", "title_kk", "title_ru", "fold_kk", "fold_ru"))
    ix = WhooshIndex(tmp_path / "index")
    ix.add([record, to_record(article())])
    found = ix.search(SearchRequest(q="fabrikası"))
    assert [h.record.id for h in found.hits] == [record.id]
    assert [h.record.id for h in ix.search(SearchRequest(q="fabrikasi")).hits] == [record.id]  # folded: ı -> i
    assert ix.search(SearchRequest(q="представництво")).total == 1
    assert ix.search(SearchRequest(lang=["tr"])).total == 1
    counts = {v.value: v.count for v in ix.search(SearchRequest(q="")).facets["lang"]}
    assert counts == {"kk": 1, "tr": 1}
    ix.close()
    assert facet_label("lang", "tr", "ru") == "турецкий"
    assert facet_label("lang", "tr", "kk") == "түрікше"
    assert facet_label("lang", "uk", "en") == "Ukrainian"


def test_an_index_written_before_the_neutral_fields_still_takes_other_languages(tmp_path: Path) -> None:
    from whoosh import index as whoosh_index

    from index.schema import build_schema
    from index.whoosh.engine import INDEX_NAME

    schema = build_schema()
    for name in ("title_other", "body_other"):
        schema.remove(name)
    folder = tmp_path / "index"
    ix = WhooshIndex(folder)
    ix.close()
    whoosh_dir = next(p for p in folder.iterdir() if p.is_dir())
    for item in whoosh_dir.iterdir():
        item.unlink()
    whoosh_index.create_in(str(whoosh_dir), schema, indexname=INDEX_NAME)
    ix = WhooshIndex(folder)
    assert "body_other" not in ix.schema
    ix.add([to_record(partner_article())])
    assert ix.search(SearchRequest(q="fabrikası")).total == 1
    assert ix.search(SearchRequest(lang=["tr"])).total == 1
    ix.close()
