"""The web app's test corpus: a small press archive as Records, and helpers to read pages.

Records are built directly (facets, amounts, evidence with offsets into the text), so the web tests do not
depend on enrichment quality. `tests/webfixtures.py` puts them into the real index.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Sequence
from pathlib import Path

from index import Amount, Evidence, Record, SearchIndex, Span, open_index

XSS = "<script>alert(1)</script>"
FILLER_WORDS = (  # noqa: SIM905 -- a word list reads better as text
    "мектеп аурухана жол көпір су жылу газ электр егін мал бидай астық құрылыс зауыт цех жұмыс жалақы "
    "бюджет салық несие инвестиция экспорт импорт баға нарық дүкен базар көлік автобус теміржол әуежай "
    "спорт мәдениет театр кітапхана музей мұражай саябақ орман өзен көл тау дала ауыл қала әкімдік кеңес "
    "депутат мәслихат сайлау жастар зейнеткер мұғалім дәрігер фермер кәсіпкер студент"
).split()


def _evidence(text: str, facet: str, code: str, phrase: str) -> Evidence:
    start = text.index(phrase)
    return Evidence(facet, code, [Span(start, start + len(phrase), phrase)])


def _record(
    n: int,
    *,
    title: str,
    text: str,
    lang: str,
    source: str,
    published: str,
    facts: Sequence[tuple[str, str, str]] = (),
    amounts: Sequence[tuple[float, str, str]] = (),
) -> Record:
    evidence = [_evidence(text, facet, code, phrase) for facet, code, phrase in facts]
    found: dict[str, list[str]] = {"region": [], "sector": [], "country": []}
    for facet, code, _phrase in facts:
        if code not in found[facet]:
            found[facet].append(code)
        # a district counts under its region, a division under its section (as the index is told by ingest)
        broader = "KZ-" + code[:2] if facet == "region" and code.isdigit() else code[0] if facet == "sector" else ""
        if len(code) > 1 and broader and broader not in found[facet]:
            found[facet].append(broader)
    money = []
    for value, currency, phrase in amounts:
        start = text.index(phrase)
        kzt = value * {"KZT": 1.0, "USD": 470.0, "CNY": 65.0}[currency]
        money.append(Amount(value, currency, kzt, phrase, start, start + len(phrase)))
    return Record(
        id=f"rec{n:04d}",
        url=f"https://{source}/news/{n}.html",
        source=source,
        title=title,
        lead="",
        text=text,
        lang=lang,
        published=published,
        authors=["Айгүл Сейітова"] if n % 2 else [],
        fetched_at=published + "T08:00:00Z",
        paragraph_langs=[lang] * (text.count("\n\n") + 1),
        regions=found["region"],
        sectors=found["sector"],
        countries=found["country"],
        amounts=money,
        evidence=evidence,
    )


def sample_records() -> list[Record]:
    """Twelve hand-written articles plus thirty fillers: facets, a reprint pair, amounts, hostile text."""
    zauyt = (
        "Түркістан облысында Қытай инвесторлары металлургия зауытын салады.\n\n"
        "Бәйдібек ауданында құрылысқа 120 млрд теңге бөлінеді, жұмыс 2025 жылы басталады."
    )
    records = [
        _record(
            1,
            title="Түркістан облысында жаңа зауыт салынады",
            text=zauyt,
            lang="kk",
            source="ontustik.kz",
            published="2025-02-10",
            facts=[
                ("region", "KZ-61", "Түркістан облысында"),
                ("region", "613600000", "Бәйдібек ауданында"),
                ("sector", "C24", "металлургия зауытын"),
                ("country", "CN", "Қытай инвесторлары"),
            ],
            amounts=[(120e9, "KZT", "120 млрд теңге")],
        ),
        _record(
            2,
            title="Түркістан облысында жаңа зауыт салынады",
            text=zauyt,
            lang="kk",
            source="ertis.kz",
            published="2025-02-11",
            facts=[("region", "KZ-61", "Түркістан облысында"), ("sector", "C24", "металлургия зауытын")],
            amounts=[(120e9, "KZT", "120 млрд теңге")],
        ),
        _record(
            3,
            title="В Шымкенте откроют завод по выпуску стройматериалов",
            text="В Туркестанской области и Шымкенте строят завод стройматериалов.\n\n"
            "Инвестор из Узбекистана вложит 5 млн долларов в производство.",
            lang="ru",
            source="batys.kz",
            published="2024-06-03",
            facts=[
                ("region", "KZ-61", "Туркестанской области"),
                ("country", "UZ", "из Узбекистана"),
                ("sector", "C23", "завод стройматериалов"),
            ],
            amounts=[(5e6, "USD", "5 млн долларов")],
        ),
        _record(
            4,
            title="Павлодарские аграрии собрали урожай пшеницы",
            text="В Павлодарской области аграрии собрали рекордный урожай пшеницы.\n\n"
            "Субсидии составили 2,5 млрд тенге.",
            lang="ru",
            source="sarbiz.kz",
            published="2023-09-15",
            facts=[("region", "KZ-55", "Павлодарской области"), ("sector", "A", "урожай пшеницы")],
            amounts=[(2.5e9, "KZT", "2,5 млрд тенге")],
        ),
        _record(
            5,
            title="Шығыс Қазақстанда көмір өндіру артты",
            text="Шығыс Қазақстан облысында көмір өндіру өсті.\n\nРесейге экспорт жалғасады.",
            lang="kk",
            source="ertis.kz",
            published="2024-11-20",
            facts=[
                ("region", "KZ-63", "Шығыс Қазақстан облысында"),
                ("sector", "B05", "көмір өндіру"),
                ("country", "RU", "Ресейге"),
            ],
        ),
        _record(
            6,
            title="Алматыда жаңа мектеп ашылды",
            text="Алматы қаласында 1200 орындық мектеп ашылды.\n\nҚұрылысқа 9 млрд теңге жұмсалды.",
            lang="kk",
            source="ontustik.kz",
            published="2025-01-05",
            facts=[("region", "KZ-75", "Алматы қаласында"), ("sector", "P", "мектеп")],
            amounts=[(9e9, "KZT", "9 млрд теңге")],
        ),
        _record(
            7,
            title=f"Опасный заголовок {XSS} о налогах",
            text=f"Статья о налогах и бюджете Алматы.\n\nВ тексте встречается {XSS} как строка.",
            lang="ru",
            source="batys.kz",
            published="2024-03-12",
            facts=[("region", "KZ-75", "Алматы")],
        ),
        _record(
            8,
            title="Turkistan region attracts Chinese investment",
            text="Turkistan region signed agreements with Chinese companies worth 300 million dollars.",
            lang="en",
            source="ontustik.kz",
            published="2025-03-01",
            facts=[("region", "KZ-61", "Turkistan region"), ("country", "CN", "Chinese companies")],
            amounts=[(300e6, "USD", "300 million dollars")],
        ),
    ]
    rng = random.Random(7)
    for n in range(9, 39):  # fillers for paging: one outlet, spread over months of 2023-2024, all distinct
        month = 1 + n % 12
        words = " ".join(rng.sample(FILLER_WORDS, 12))
        records.append(
            _record(
                n,
                title=f"Бюджет ауданы туралы хабар {n}",
                text=f"Павлодар облысында аудан бюджеті талқыланды: {words}.",
                lang="kk",
                source="sarbiz.kz",
                published=f"{2023 + n % 2}-{month:02d}-{10 + n % 15:02d}",
                facts=[("region", "KZ-55", "Павлодар облысында")],
            )
        )
    return records


def open_press_index(data_dir: Path, records: list[Record]) -> SearchIndex:
    """The real index in `data_dir`/index, holding `records`."""
    index = open_index(data_dir / "index")
    index.add(records)
    return index


def visible_text(page: str) -> str:
    """The page's text without tags, entities decoded: what a reader sees."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))
