"""From the crawler's `Article` to the index's `Record`: paragraph languages and facts.

This is the step between extraction and the index in the flow crawler -> index -> searchapp. Each paragraph
gets its language from `crawler.langid` (a Russian quote in a Kazakh story is indexed as Russian; a paragraph
too short to tell keeps the language extraction gave it, or the article's), and the text gets its facts from
`index.facets.extract_facts`: regions with districts, sectors, partner countries, amounts in KZT, with the
evidence spans that justify them. The reprint group is not decided here but at add time (by the engine),
where the other articles are known. `record_of` is both steps for one archived page: what the pipeline runs in
its worker process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.extract import extract
from crawler.extract import warm_up as warm_up_extraction
from crawler.langid import detect
from crawler.models import Article, Fetched
from index.facets import countries, extract_facts, regions, sectors
from index.models import Record

__all__ = ["paragraph_languages", "record_of", "to_record", "warm_up"]


def paragraph_languages(article: Article) -> list[str]:
    """One ISO 639-1 code per paragraph ("" only when nothing at all is known)."""
    out = []
    for paragraph in article.paragraphs:
        # three words or more (split stops after the third: no list of every word of the paragraph)
        lang = detect(paragraph.text) if len(paragraph.text.split(None, 2)) >= 3 else ""
        out.append(lang or paragraph.lang or article.lang)
    return out


def to_record(article: Article) -> Record:
    """The index record of an extracted article (facts included). Its reprint group and the SimHash that
    decides it are the index's, at add time: this runs in a worker process that extraction keeps busier than
    the writer's: at 100k articles the analysis worker was at 100% of its core and the writer at 70% of its
    own, and SimHash is 0.35 ms of an article's 2.2 (issue #9)."""
    text = article.text
    langs = paragraph_languages(article)
    lang = article.lang
    if not lang:
        weights: dict[str, int] = {}
        for paragraph, paragraph_lang in zip(article.paragraphs, langs, strict=True):
            if paragraph_lang:
                weights[paragraph_lang] = weights.get(paragraph_lang, 0) + len(paragraph.text)
        lang = max(weights, key=lambda k: weights[k]) if weights else ""
    facts = extract_facts(text, lang=lang or None, published=article.published, title=article.title)
    return Record(
        id=article.id,
        url=article.url,
        source=article.source.lower(),
        title=article.title,
        lead=article.lead,
        text=text,
        lang=lang or facts.lang,
        published=article.published,
        authors=list(article.authors),
        tags=list(article.tags),
        fetched_at=article.fetched_at,
        paragraph_langs=langs,
        regions=list(facts.regions),
        sectors=list(facts.sectors),
        countries=list(facts.countries),
        amounts=list(facts.amounts),
        evidence=list(facts.evidence),
        warc_file=article.warc_file,
        warc_offset=article.warc_offset,
    )


def record_of(fetched: Fetched, rules: Mapping[str, Any] | None = None) -> Record | str:
    """The index record of an archived page, or the reason it holds no article."""
    result = extract(fetched, rules)
    if result.article is None:
        return result.reason or "no article"
    return to_record(result.article)


def warm_up() -> None:
    """Load what extraction and enrichment load on first use (language model, lexicons, gazetteer)."""
    warm_up_extraction()
    regions.gazetteer()
    countries.lexicon()
    sectors.lexicon()
