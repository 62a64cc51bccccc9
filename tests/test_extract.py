"""Extraction on single pages: decoding, boilerplate, metadata, site rules, and pages that hold no article."""

from __future__ import annotations

import logging

import pytest

from crawler.clean import clean_paragraphs, is_boilerplate
from crawler.extract import MAX_PARAGRAPH_CHARS, RuleError, check_rules, decode_html, extract, extract_html
from crawler.models import Fetched

KK_PARAS = [
    "Павлодар облысының әкімдігі жаңа жылу электр орталығының құрылысы басталғанын хабарлады. "
    "Жобаның құны 120 миллиард теңге деп бағаланып отыр.",
    "Құрылысқа жергілікті мердігерлер мен шетелдік серіктестер тартылады. "
    "Станция 2028 жылы толық қуатына шығады деп күтілуде.",
    "Әкімдік өкілдерінің айтуынша, жоба өңірдегі жылу тапшылығын толық жабады. "
    "Жаңа нысанда үш жүзге жуық адам жұмыс істейді.",
]
RU_PARAS = [
    "В Шымкенте открылся завод по производству керамической плитки. Инвестиции в проект составили "
    "12 миллиардов тенге, на предприятии создано 250 рабочих мест.",
    "Продукция завода будет поставляться в южные регионы страны и в соседний Узбекистан. "
    "Мощность первой очереди составит три миллиона квадратных метров плитки в год.",
    "В акимате города отметили, что в следующем году планируется запуск второй очереди предприятия.",
]


def page(title: str, paragraphs: list[str], *, head: str = "", extra: str = "", lang: str = "ru") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Газета</title>{head}</head>'
        f'<body><nav><a href="/">Газета</a> <a href="/news">Новости</a></nav><article><h1>{title}</h1>'
        f'<div class="article-body">{body}</div>{extra}</article><footer>© 2025 Газета</footer></body></html>'
    )


def test_russian_page_end_to_end() -> None:
    head = (
        '<link rel="canonical" href="/news/zavod.html"><meta property="article:published_time" '
        'content="2025-02-10T16:17:00+05:00"><meta name="author" content="Айгүл Серікова">'
        '<meta property="article:tag" content="индустрия"><meta property="article:tag" content="Шымкент">'
    )
    result = extract_html(page("В Шымкенте открылся завод плитки", RU_PARAS, head=head), "http://127.0.0.1:8102/n?id=5")
    a = result.article
    assert a is not None, result.reason
    assert a.title == "В Шымкенте открылся завод плитки"
    assert a.url == "http://127.0.0.1:8102/news/zavod.html"
    assert a.source == "127.0.0.1:8102"
    assert a.fetch_url == "http://127.0.0.1:8102/n?id=5"
    assert a.published == "2025-02-10T16:17"
    assert a.lang == "ru" and {p.lang for p in a.paragraphs} == {"ru"}
    assert [p.text for p in a.paragraphs] == RU_PARAS
    assert a.authors == ["Айгүл Серікова"]
    assert a.tags == ["индустрия", "Шымкент"]


def test_boilerplate_inside_the_article_is_removed() -> None:
    junk = [
        "Поделитесь новостью",
        "Следите за новостями в нашем Telegram-канале",
        "ПОДПИСЫВАЙТЕСЬ НА НАС В TELEGRAM",
        "Читайте также: В области выросли цены на уголь",
        "Фото пресс-службы акимата",
        "Қате тапсаңыз, белгілеп ctrl+enter басыңыз",
        "USD 468.56 EUR 497.56",
        "Просмотров: 1 234",
    ]
    paras = [RU_PARAS[0], junk[0], RU_PARAS[1], *junk[1:], RU_PARAS[2]]
    a = extract_html(page("Завод плитки", paras), "https://x.kz/a").article
    assert a is not None
    assert [p.text for p in a.paragraphs] == RU_PARAS


@pytest.mark.parametrize(
    "line",
    [
        "Сообщите об ошибке",
        "Тақырып бойынша",
        "Пікір қалдыру",
        "Оставить комментарий",
        "+35°",
        "Астана −5°",
        "16:17",
        "Сурет: ашық дереккөзден",
        "Фото: Айгерим Серикова",
        "Мы используем файлы cookie, чтобы сайт работал удобнее.",
        "Facebook VK Telegram WhatsApp",
        "Қаралым: 7504",
        "Опубликовано: 18 февраля 2026 г., 11:50 | Просмотров: 412",
        "18.02.2026 | 👁 Просмотров: 412",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Об этом сообщили в Telegram-канале акимата области.",
        "Популярное место отдыха открылось в парке.",
        "Аким области отметил, что температура достигла +35° в тени, и работы перенесли на вечер.",
        "Фото выставки привлекли сотни гостей из соседних районов и городов области.",
        "Жарияланған конкурс нәтижелері желтоқсанда белгілі болады.",
        "Опубликованы итоги конкурса среди сельских школ.",
    ],
)
def test_news_sentences_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_read_also_heading_takes_its_headline() -> None:
    assert clean_paragraphs(
        ["Мәтін бірінші.", "Читайте также", "В области выросли цены на уголь", "Мәтін екінші."]
    ) == [
        "Мәтін бірінші.",
        "Мәтін екінші.",
    ]


def test_windows_1251_without_any_charset_declaration() -> None:
    html = page("Завод плитки", RU_PARAS).replace('<meta charset="utf-8">', "").encode("cp1251")
    _text, charset = decode_html(html, {"Content-Type": "text/html"})
    assert charset == "cp1251"
    a = extract_html(html, "https://x.kz/a", {"Content-Type": "text/html"}).article
    assert a is not None and a.paragraphs[0].text == RU_PARAS[0]


def test_koi8r_is_told_from_cp1251() -> None:
    html = page("Завод плитки", RU_PARAS).replace('<meta charset="utf-8">', "").encode("koi8_r")
    assert decode_html(html)[1] == "koi8-r"


def test_wrong_declared_charset() -> None:
    html = page("Завод плитки", RU_PARAS).encode("cp1251")  # the page says utf-8, the header too
    a = extract_html(html, "https://x.kz/a", {"Content-Type": "text/html; charset=utf-8"}).article
    assert a is not None and a.title == "Завод плитки" and a.paragraphs[-1].text == RU_PARAS[-1]
    utf8 = page("Завод плитки", RU_PARAS).encode("utf-8")  # declared windows-1251, really UTF-8
    a = extract_html(utf8, "https://x.kz/a", {"Content-Type": "text/html; charset=windows-1251"}).article
    assert a is not None and a.paragraphs[0].text == RU_PARAS[0]


def test_bom_and_meta_charset() -> None:
    html = "\ufeff" + page("Завод плитки", RU_PARAS)
    assert decode_html(html.encode("utf-8"))[1] == "utf-8"
    kk = page("Жылу орталығы", KK_PARAS, lang="kk").replace('charset="utf-8"', 'charset="kz-1048"')
    assert decode_html(kk.encode("kz1048"))[1] == "kz1048"


def test_kazakh_page_with_printed_date_only() -> None:
    extra = '<div class="post-meta"><span class="post-date">2024 жылғы 15 наурыз</span></div>'
    a = extract_html(page("Жылу орталығы салынады", KK_PARAS, extra=extra, lang="kk"), "https://x.kz/a").article
    assert a is not None
    assert a.published == "2024-03-15" and a.lang == "kk"


def test_site_rules_override_the_generic_path() -> None:
    html = (
        '<html><head><meta charset="utf-8"><title>Сайт</title></head><body>'
        '<div class="teaser"><p>' + " ".join(["Другая новость дня на сайте."] * 30) + "</p></div>"
        '<div class="story"><h2 class="hl">Настоящий заголовок</h2><span class="dt">10.02.2025 16:17</span>'
        '<span class="by">Иван Петров, Асқар Бекұлы</span><div class="txt">'
        + "".join(f"<p>{p}</p>" for p in RU_PARAS)
        + '<p class="promo">Реклама партнёра</p></div></div></body></html>'
    )
    rules = {"title": "h2.hl", "body": "div.txt", "date": "span.dt", "authors": "span.by", "drop": [".promo"]}
    a = extract_html(html, "https://x.kz/a", rules=rules).article
    assert a is not None
    assert a.title == "Настоящий заголовок"
    assert [p.text for p in a.paragraphs] == RU_PARAS
    assert a.published == "2025-02-10T16:17"
    assert a.authors == ["Иван Петров", "Асқар Бекұлы"]


def test_a_bad_css_rule_is_a_clear_error() -> None:
    with pytest.raises(RuleError, match="not a valid CSS selector"):
        extract_html(page("Т", RU_PARAS), "https://x.kz/a", rules={"body": "div[["})
    with pytest.raises(RuleError, match="not a valid CSS selector"):
        check_rules({"drop": [".ok", "p:::x"]})
    with pytest.raises(RuleError, match="unknown"):
        check_rules({"bdy": "div.text"})
    check_rules({"title": "h1", "body": "div.txt", "drop": [".promo", "#share"]})


def test_not_found_page_served_with_200_gives_no_article(caplog: pytest.LogCaptureFixture) -> None:
    html = page("Страница не найдена", ["Возможно, она была удалена. " * 20])
    fetched = Fetched("https://x.kz/missing", 200, {"Content-Type": "text/html"}, html.encode(), "2025-01-01T00:00:00Z")
    with caplog.at_level(logging.INFO, logger="crawler.extract"):
        result = extract(fetched)
    assert result.article is None and "not found" in result.reason
    assert "https://x.kz/missing" in caplog.text


def test_a_404_in_a_headline_is_news() -> None:
    a = extract_html(page("В 404 школах области отремонтируют спортзалы", RU_PARAS), "https://x.kz/a").article
    assert a is not None and a.title.startswith("В 404 школах")


def test_section_front_gives_no_article() -> None:
    items = "".join(
        f'<div class="item"><h2><a href="/news/{i}.html">Новость номер {i} о строительстве нового завода</a></h2>'
        f"<p>Новость номер {i} о строительстве нового завода в области и планах на следующий год.</p></div>"
        for i in range(12)
    )
    html = (
        '<html><head><meta charset="utf-8"><title>Газета</title></head><body>'
        f'<a class="logo" href="/">Газета</a>{items}</body></html>'
    )
    result = extract_html(html, "https://x.kz/")
    assert result.article is None and result.reason


def test_error_status_and_non_html_give_no_article() -> None:
    ok = page("Т", RU_PARAS).encode()
    assert extract(Fetched("https://x.kz/a", 404, {}, ok, "")).article is None
    pdf = Fetched("https://x.kz/a.pdf", 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4", "")
    assert "not an HTML page" in extract(pdf).reason


def test_fetched_fields_are_carried_over() -> None:
    fetched = Fetched(
        "https://x.kz/a",
        200,
        {"content-type": "text/html"},
        page("Завод", RU_PARAS).encode(),
        "2025-02-11T00:00:00Z",
        "crawl-0001.warc.gz",
        1234,
    )
    a = extract(fetched).article
    assert a is not None
    assert (a.fetched_at, a.warc_file, a.warc_offset) == ("2025-02-11T00:00:00Z", "crawl-0001.warc.gz", 1234)


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        b"\x00\x01\x02 binary",
        b"<html><body><p>unclosed <div><b>bold <i>italic</p></span></table>",
        b"<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
        b"<html><body><nav>\x0c\x1b</nav><p>\x00\x08 control characters</p><script>x</script>tail\x0b</body></html>",
        b"<html><body>" + b"<script>var a = 1;</script>" * 20000 + b"</body></html>",
        b"<html><body><div>" + b"<a href='/x'>menu</a>" * 20000 + b"</div></body></html>",
    ],
)
def test_bad_input_gives_no_article_and_no_crash(html: bytes) -> None:
    result = extract_html(html, "https://x.kz/a")
    assert result.article is None and result.reason


def test_malformed_html_with_a_story_still_extracts() -> None:
    html = "<html><body><h1>Завод плитки<div class=text>" + "".join(f"<p>{p}" for p in RU_PARAS) + "</span></table>"
    a = extract_html(html, "https://x.kz/a").article
    assert a is not None and RU_PARAS[0] in a.text


def test_five_megabyte_single_paragraph_is_cut_not_choked_on() -> None:
    html = "<html><body><h1>Үлкен мәтін</h1><p>" + KK_PARAS[0] * 20000 + "</p></body></html>"
    assert len(html.encode()) > 5_000_000
    a = extract_html(html.encode(), "https://x.kz/a").article
    assert a is not None and a.lang == "kk"
    assert all(len(p.text) <= MAX_PARAGRAPH_CHARS for p in a.paragraphs)


def test_logo_in_h1_is_not_the_title_and_not_a_front_page() -> None:
    html = (
        '<html><head><meta charset="utf-8"><meta property="og:title" content="Завод плитки открылся | Южный курьер">'
        "<title>Завод плитки открылся | Южный курьер</title></head><body>"
        '<h1 class="logo"><a href="/">Южный курьер</a></h1><div class="news"><h2>Завод плитки открылся</h2>'
        + "".join(f"<p>{p}</p>" for p in RU_PARAS)
        + "</div></body></html>"
    )
    a = extract_html(html, "https://x.kz/a").article
    assert a is not None and a.title == "Завод плитки открылся"
