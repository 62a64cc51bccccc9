"""index.ingest.to_record: paragraph languages and facts of an extracted article, then indexed and found."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.models import Article, Paragraph
from index.engine import WhooshIndex
from index.ingest import paragraph_languages, to_record
from index.models import SearchRequest


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
