# ruff: noqa: E501  (the page templates below are HTML; their lines are as long as the markup needs)
"""Builds the extraction gold set in tests/data/extract/: pages in the layouts of this press, with their truth.

Each page is `<name>.html` (the bytes as served) and `<name>.json` (url, response headers, and the truth:
title, published, lang, lead, paragraphs; `"article": false` for pages that hold none). Two kinds:
pages of the four demo outlets, rendered by the demo's own templates (`searchapp.demo`) from its content
files; and pages of eight templates of our own that the demo does not cover: an old table layout in
windows-1251 with no charset declared anywhere, a portal whose story sits inside a sidebar-laden layout
full of widgets and calls to subscribe, a Kazakh story quoting Russian with only a printed Kazakh date, a
page whose date is in JSON-LD only, a Latin-script Kazakh page (2018 alphabet), a Kazakh page with
reader comments under the story, an old CMS with <br><br> between paragraphs, and a Kazakh story with a
"read also" link and a photo credit inside its text. All sentences are the demo's or written here, our own.

    python -m bench.gold_extract          # rewrites tests/data/extract/
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape as e
from pathlib import Path
from typing import Any

from searchapp.demo.render import MONTHS_KK, MONTHS_RU

GOLD_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "extract"
PER_OUTLET = 9

MONTHS_LAT = ("Qańtar", "Aqpan", "Naýryz", "Sáýir", "Mamyr", "Maýsym", "Shilde", "Tamyz", "Qyrkúıek", "Qazan",
              "Qarasha", "Jeltoqsan")  # fmt: skip

_LATIN_2018 = {
    "а": "a", "ә": "á", "б": "b", "в": "v", "г": "g", "ғ": "ǵ", "д": "d", "е": "e", "ё": "ıo", "ж": "j",
    "з": "z", "и": "ı", "й": "ı", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ń", "о": "o",
    "ө": "ó", "п": "p", "р": "r", "с": "s", "т": "t", "у": "ý", "ұ": "u", "ү": "ú", "ф": "f", "х": "h",
    "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "ıý", "я": "ıa",
}  # fmt: skip


def to_latin(text: str) -> str:
    """Kazakh Cyrillic in the 2018 Latin alphabet (acute accents), letter by letter."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in _LATIN_2018:
            lat = _LATIN_2018[low]
            out.append(lat[:1].upper() + lat[1:] if ch != low else lat)
        else:
            out.append(ch)
    return "".join(out)


@dataclass(slots=True)
class Story:
    """What a page says: the truth the gold JSON records."""

    title: str
    lead: str
    paragraphs: list[str]
    published: datetime
    lang: str
    authors: list[str]
    tags: list[str]


def _story(article: Any) -> Story:
    return Story(
        article.title,
        article.lead,
        list(article.paragraphs),
        article.published,
        article.lang,
        list(article.authors),
        list(article.tags),
    )


def _truth(story: Story, published: str, *, lead: bool = True) -> dict[str, Any]:
    return {
        "article": True,
        "title": story.title,
        "published": published,
        "lang": story.lang,
        "lead": story.lead if lead else "",
        "paragraphs": story.paragraphs if lead else [story.lead, *story.paragraphs],
        "authors": story.authors,
    }


# --- our own templates ------------------------------------------------------------------------------------


def old_table(story: Story, url: str) -> tuple[bytes, dict[str, str], dict[str, Any]]:
    """A 2000s CMS: nested tables, windows-1251 with no charset in the header or the page, numeric date."""
    when = f"{story.published:%d.%m.%Y %H:%M}"
    paras = "".join(f"<p align=justify>{e(p)}</p>\n" for p in story.paragraphs)
    menu = " | ".join(
        f"<a href='/razdel/{i}'>{e(n)}</a>" for i, n in enumerate(["Главная", "Новости", "Экономика", "Спорт", "Архив"])
    )
    others = "".join(
        f"<tr><td class=small><a href='/news/{i}.html'>Новость дня номер {i}: в районе открыли новый объект</a></td></tr>"
        for i in range(1, 7)
    )
    html = f"""<html><head><title>{e(story.title)} :: Вестник региона</title></head>
<body bgcolor=#ffffff><table width=100% border=0><tr><td colspan=3 class=top>{menu}<br>USD 468.56 EUR 497.56</td></tr>
<tr><td width=180 valign=top><table>{others}</table></td>
<td valign=top><table><tr><td class=date>{when}</td></tr>
<tr><td><h2 class=title>{e(story.title)}</h2></td></tr>
<tr><td><b>{e(story.lead)}</b>
{paras}
<p>Просмотров: 2 311</p><p><a href='/print/1'>Версия для печати</a> | <a href='/send'>Отправить другу</a></p></td></tr></table></td>
<td width=160 valign=top>Погода<br>Шымкент +35°<br><br>Реклама</td></tr>
<tr><td colspan=3 align=center>© 2003-2025 Вестник региона. Все права защищены.</td></tr></table></body></html>"""
    return (
        html.encode("cp1251", "xmlcharrefreplace"),
        {"Content-Type": "text/html"},
        _truth(story, f"{story.published:%Y-%m-%dT%H:%M}", lead=False),
    )


def portal(story: Story, url: str) -> tuple[bytes, dict[str, str], dict[str, Any]]:
    """A big portal: the story in a middle column, widgets everywhere, calls to subscribe inside the text."""
    d = story.published
    when = f"{d.day} {MONTHS_RU[d.month - 1]} {d.year}, {d:%H:%M}"
    body = [f"<p>{e(p)}</p>" for p in story.paragraphs]
    body.insert(
        2,
        '<div class="read-also"><b>Читайте также:</b> <a href="/news/2.html">В области выросли цены на уголь</a></div>',
    )
    body.insert(4, '<p class="tg-promo"><a href="https://t.me/x">ПОДПИСЫВАЙТЕСЬ НА НАС В TELEGRAM</a></p>')
    left = "".join(
        f'<li><span class="time">{h:02d}:15</span> <a href="/news/l{h}.html">Короткая новость ленты под номером {h}</a></li>'
        for h in range(8, 18)
    )
    html = f"""<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>{e(story.title)} - Новости Казахстана - Портал Регион</title>
<meta property="og:title" content="{e(story.title)}"><meta property="og:site_name" content="Портал Регион">
<meta name="description" content="{e(story.lead)}"></head><body>
<div class="header-top"><span class="today">Сегодня: 22 ноября 2026</span> <span>USD 468.56</span> <span>EUR 497.56</span> <span>Астана −5°</span></div>
<nav><a href="/">Главная</a> <a href="/politics">Политика</a> <a href="/economy">Экономика</a></nav>
<div class="layout"><aside class="news-feed"><h3>Лента новостей</h3><ul>{left}</ul></aside>
<div class="content"><div class="breadcrumbs"><a href="/">Главная</a> / <a href="/economy">Экономика</a></div>
<h1>{e(story.title)}</h1><div class="article-info"><span class="date">{when}</span> <span class="views">👁 1 945</span></div>
<div class="article-lead">{e(story.lead)}</div>
<div class="article-text">{"".join(body)}
<p class="photo-credit">Фото: пресс-служба акимата</p>
<div class="share-box">Поделитесь новостью: <a>Facebook</a> <a>VK</a> <a>Telegram</a> <a>WhatsApp</a></div>
<p>Следите за новостями региона в нашем Telegram-канале</p><p class="error-hint">Сообщите об ошибке: выделите текст и нажмите Ctrl+Enter</p>
</div><div class="related"><h3>Читайте по теме</h3><ul><li><a href="/n/1.html">Строители завершили ремонт моста через реку</a></li>
<li><a href="/n/2.html">В селе открыли новую амбулаторию на двадцать мест</a></li></ul></div></div>
<aside class="right"><div class="widget"><h3>Популярное</h3><ol><li><a href="/p/1">Фермеры начали посевную раньше срока</a></li><li><a href="/p/2">В городе заработал новый автобусный маршрут</a></li></ol></div>
<div class="widget weather">Погода: +35°</div></aside></div>
<div class="cookie">Мы используем файлы cookie, чтобы сайт работал удобнее.</div>
<footer>© 2025 Портал Регион. Все права защищены.</footer></body></html>"""
    return html.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}, _truth(story, f"{d:%Y-%m-%dT%H:%M}")


RU_QUOTE = (
    "«Мы рассчитываем, что первая очередь будет готова до конца года, а рабочие места получат жители соседних "
    "сёл», — сказал представитель компании-инвестора."
)


def bilingual(story: Story, url: str) -> tuple[bytes, dict[str, str], dict[str, Any]]:
    """A Kazakh story quoting a Russian sentence; the only date is printed in Kazakh, no metadata."""
    d = story.published
    paras = list(story.paragraphs)
    paras.insert(2, RU_QUOTE)
    when = f"{d.year} жылғы {d.day} {MONTHS_KK[d.month - 1]}"
    body = "".join(f"<p>{e(p)}</p>" for p in paras)
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{e(story.title)} — Өңір тынысы</title></head>
<body><div id="top"><a href="/">Өңір тынысы</a> <a href="/kk/">Қазақша</a> <a href="/ru/">Русский</a></div>
<div id="main"><div class="story"><h1>{e(story.title)}</h1><div class="meta">{when} <span class="author">{e(", ".join(story.authors))}</span></div>
<div class="lead">{e(story.lead)}</div><div class="story-body">{body}</div>
<div class="share">Бөлісу: <a>Facebook</a> <a>Telegram</a></div></div>
<div class="related"><h4>Ұқсас жаңалықтар</h4><a href="/a/1">Ауданда жаңа мектеп ашылды</a></div></div>
<div id="foot">Барлық құқықтар қорғалған. Материалдарды пайдаланғанда сілтеме міндетті.</div></body></html>"""
    truth = _truth(story, f"{d:%Y-%m-%d}")
    truth["paragraphs"] = paras
    truth["paragraph_langs"] = ["ru" if p == RU_QUOTE else "kk" for p in paras]
    return html.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}, truth


def jsonld_only(story: Story, url: str) -> tuple[bytes, dict[str, str], dict[str, Any]]:
    """The date is stated in JSON-LD only; the title in og:title with the site's name after it."""
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Дала жаңалықтары", "url": "https://dala.example.kz/"},
            {
                "@type": "NewsArticle",
                "headline": story.title,
                "datePublished": f"{story.published:%Y-%m-%dT%H:%M:00}+05:00",
                "author": {"@type": "Person", "name": story.authors[0] if story.authors else "Редакция"},
            },
        ],
    }
    body = "".join(f"<p>{e(p)}</p>" for p in story.paragraphs)
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Дала жаңалықтары</title>
<meta property="og:title" content="{e(story.title)} | Дала жаңалықтары">
<link rel="canonical" href="/{e(url.rsplit("/", 1)[-1])}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head>
<body><div class="wrap"><div class="topline"><span>USD 468.56</span> <span>+35°</span> <span class="clock">16:17</span></div>
<div class="post"><h2 class="headline">{e(story.title)}</h2><p class="intro"><em>{e(story.lead)}</em></p>{body}
<p class="credit">Сурет: ашық дереккөзден</p></div>
<div class="sidebar"><h3>Көп оқылған</h3><ul><li><a href="/1">Облыста жол жөндеу басталды</a></li><li><a href="/2">Жаңа аурухана салынады</a></li></ul></div></div></body></html>"""
    return (
        html.encode("utf-8"),
        {"Content-Type": "text/html; charset=utf-8"},
        _truth(story, f"{story.published:%Y-%m-%dT%H:%M}", lead=False),
    )


def latin(story: Story, url: str) -> tuple[bytes, dict[str, str], dict[str, Any]]:
    """A Kazakh story in the 2018 Latin alphabet, printed time before date as Latin-script sites do."""
    d = story.published
    lat = Story(
        to_latin(story.title),
        to_latin(story.lead),
        [to_latin(p) for p in story.paragraphs],
        d,
        "kk",
        [to_latin(a) for a in story.authors],
        [],
    )
    when = f"{d:%H:%M}, {d.day} {MONTHS_LAT[d.month - 1]} {d.year} | GMT +5"
    body = "".join(f"<p>{e(p)}</p>" for p in lat.paragraphs)
    html = f"""<!DOCTYPE html><html lang="kk-Latn"><head><meta charset="utf-8"><title>{e(lat.title)}</title></head>
<body><header><a href="/">Qazaq Óńiri</a> <a href="/latyn">Latyn</a> <a href="/kirill">Кирилл</a></header>
<main><div class="article"><div class="article__date">{when}</div><h1 class="article__title">{e(lat.title)}</h1>
<div class="article__lead">{e(lat.lead)}</div><div class="article__body">{body}</div>
<div class="article__share">Bólisý: <a>Facebook</a> <a>Telegram</a></div></div></main>
<footer>Barlyq quqyqtar qorǵalǵan.</footer></body></html>"""
    return html.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}, _truth(lat, f"{d:%Y-%m-%dT%H:%M}")


COMMENTS = [
    ("Асан", "Өте жақсы жаңалық, ауылымызға да осындай жоба керек."),
    ("Гүлнар", "Жұмыс орындары шынымен ашыла ма, әлде тек уәде ме? Көрерміз."),
    ("Ерлан", "Бұл мәселені әкімдік әлдеқашан шешуі керек еді, бірақ кеш те болса жақсы."),
]


def with_comments(story: Story, url: str) -> tuple[bytes, dict[str, str], dict[str, Any]]:
    """A Kazakh story with reader comments and a comment form under it; date as "15 наурыз 2024 ж."."""
    d = story.published
    when = f"{d.day} {MONTHS_KK[d.month - 1]} {d.year} ж."
    body = "".join(f"<p>{e(p)}</p>" for p in story.paragraphs)
    comments = "".join(
        f'<div class="comment"><b class="comment-author">{e(n)}</b> <span class="comment-date">{d.day} {MONTHS_KK[d.month - 1]} {d.year} ж.</span><p>{e(t)}</p></div>'
        for n, t in COMMENTS
    )
    html = f"""<!DOCTYPE html><html lang="kk"><head><meta charset="utf-8"><title>{e(story.title)} - Аймақ айнасы</title>
<meta property="og:title" content="{e(story.title)}"></head>
<body><div class="container"><div class="news-item"><h1>{e(story.title)}</h1>
<div class="news-date">{when}</div><div class="news-text"><p><strong>{e(story.lead)}</strong></p>{body}</div>
<div class="photo-note">Сурет автордікі</div></div>
<div class="comments"><h3>Пікірлер (3)</h3>{comments}
<form class="comment-form"><h4>Пікір қалдыру</h4><input placeholder="Атыңыз"><textarea></textarea><button>Жіберу</button></form></div>
</div></body></html>"""
    return (
        html.encode("utf-8"),
        {"Content-Type": "text/html; charset=utf-8"},
        _truth(story, f"{d:%Y-%m-%d}", lead=False),
    )


def br_text(story: Story, url: str) -> tuple[bytes, dict[str, str], dict[str, Any]]:
    """An old CMS that separates paragraphs with <br><br> inside one div; the date is printed after a label."""
    d = story.published
    when = f"Опубликовано: {d.day} {MONTHS_RU[d.month - 1]} {d.year} г., {d:%H:%M}"
    text = "<br><br>\n".join(e(p) for p in story.paragraphs)
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{e(story.title)}</title></head>
<body><div id="menu"><a href="/">Главная</a> · <a href="/news">Новости</a> · <a href="/about">О газете</a></div>
<div id="content"><div class="zag">{e(story.title)}</div><div class="info">{when} | Просмотров: 412</div>
<div class="txt"><i>{e(story.lead)}</i><br><br>
{text}<br><br>Фото: архив редакции</div>
<div class="nav"><a href="/news?p=2">« Предыдущая</a> | <a href="/news?p=4">Следующая »</a></div></div>
<div id="bottom">Газета «Степной вестник», 2025. При использовании материалов ссылка обязательна.</div></body></html>"""
    return (
        html.encode("utf-8"),
        {"Content-Type": "text/html; charset=utf-8"},
        _truth(story, f"{d:%Y-%m-%dT%H:%M}", lead=False),
    )


def inline_read_also(story: Story, url: str) -> tuple[bytes, dict[str, str], dict[str, Any]]:
    """A Kazakh story with a "read also" link, a photo and its credit inside the text; date in <time> only."""
    d = story.published
    paras = [f"<p>{e(p)}</p>" for p in story.paragraphs]
    paras.insert(1, '<p><strong>Сондай-ақ оқыңыз:</strong> <a href="/kk/a/1">Облыста жаңа көпір салынады</a></p>')
    paras.insert(
        3,
        '<figure><img src="/i/1.jpg" alt=""><figcaption>Сурет: облыс әкімдігінің баспасөз қызметі</figcaption></figure>',
    )
    html = f"""<!DOCTYPE html><html lang="kk"><head><meta charset="utf-8"><title>{e(story.title)} • Жетісу жаршысы</title>
<meta property="og:site_name" content="Жетісу жаршысы"></head><body>
<header class="hdr"><a class="logo" href="/">Жетісу жаршысы</a><span class="today">Бүгін: 22 қараша 2026</span></header>
<div class="page"><div class="main-col"><h1 class="entry-title">{e(story.title)}</h1>
<div class="entry-meta"><time datetime="{d:%Y-%m-%dT%H:%M}:00+05:00">{d:%d.%m.%Y}</time></div>
<div class="entry-content"><p class="lead">{e(story.lead)}</p>{"".join(paras)}</div>
<div class="entry-tags">Тегтер: <a rel="tag" href="/tag/1">экономика</a></div></div>
<div class="side-col"><div class="box"><h3>Соңғы жаңалықтар</h3><p><a href="/a/2">Ауылда жаңа мектеп ашылды</a> <span class="date">21.11.2026</span></p></div></div></div>
<footer>© Жетісу жаршысы</footer></body></html>"""
    return html.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}, _truth(story, f"{d:%Y-%m-%dT%H:%M}")


def not_found_200(story: Story, url: str) -> tuple[bytes, dict[str, str], dict[str, Any]]:
    """A "page not found" served with status 200, in the site's full layout."""
    html = """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Страница не найдена - Портал Регион</title></head>
<body><nav><a href="/">Главная</a> <a href="/economy">Экономика</a></nav><div class="content"><h1>Страница не найдена</h1>
<p>Возможно, она была удалена или вы ошиблись в адресе. Вернитесь на главную страницу или воспользуйтесь поиском по сайту.</p>
</div><footer>© 2025 Портал Регион</footer></body></html>"""
    return html.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}, {"article": False}


OWN_TEMPLATES: dict[str, tuple[Callable[[Story, str], tuple[bytes, dict[str, str], dict[str, Any]]], str]] = {
    "own-oldtable": (old_table, "ru"),
    "own-portal": (portal, "ru"),
    "own-bilingual": (bilingual, "kk"),
    "own-jsonld": (jsonld_only, "ru"),
    "own-latin": (latin, "kk"),
    "own-comments": (with_comments, "kk"),
    "own-brtext": (br_text, "ru"),
    "own-readalso": (inline_read_also, "kk"),
}


def build(out: Path = GOLD_DIR) -> int:
    from searchapp.demo.content import load_articles
    from searchapp.demo.outlets import OUTLETS, Site
    from searchapp.demo.sites import route

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.html"):
        old.unlink()
    for old in out.glob("*.json"):
        old.unlink()
    articles = load_articles()
    count = 0

    def write(name: str, body: bytes, url: str, status: int, headers: dict[str, str], truth: dict[str, Any]) -> None:
        nonlocal count
        (out / f"{name}.html").write_bytes(body)
        meta = {"url": url, "status": status, "headers": headers, **truth}
        (out / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        count += 1

    pool: dict[str, list[Story]] = {"kk": [], "ru": []}
    for port, outlet in enumerate(OUTLETS, start=8101):
        base = f"http://127.0.0.1:{port}"
        site = Site.build(outlet, base, articles.get(outlet.id, []))
        chosen = [a for a in site.articles if site.allowed(outlet.article_path(a))]
        # Spread over the outlet's languages and years: every k-th article.
        step = max(1, len(chosen) // PER_OUTLET)
        for i, article in enumerate(chosen[::step][:PER_OUTLET]):
            path = outlet.article_path(article)
            page = route(site, path)
            text = page.body.decode(outlet.charset, "replace")
            story = _story(article)
            shows_time = f"{article.published:%H:%M}" in text
            published = f"{article.published:%Y-%m-%dT%H:%M}" if shows_time else f"{article.published:%Y-%m-%d}"
            write(
                f"demo-{outlet.id}-{i:02d}",
                page.body,
                base + path,
                page.status,
                {"Content-Type": page.content_type},
                _truth(story, published),
            )
        for article in chosen[1::step][:6]:
            pool[article.lang].append(_story(article))
        # A section front of the outlet: no article.
        lang = outlet.langs[0]
        front = route(site, outlet.front_path(lang))
        write(
            f"demo-{outlet.id}-front",
            front.body,
            base + outlet.front_path(lang),
            200,
            {"Content-Type": front.content_type},
            {"article": False},
        )

    for name, (template, lang) in OWN_TEMPLATES.items():
        stories = pool[lang][::3][:2] if name != "own-comments" else pool[lang][1::3][:2]
        for i, story in enumerate(stories):
            url = f"https://{name.removeprefix('own-')}.example.kz/news/{story.published:%Y/%m}/story-{i}.html"
            body, headers, truth = template(story, url)
            shown = body.decode("cp1251" if name == "own-oldtable" else "utf-8")
            # Only a byline the page prints is a truth about the page.
            truth["authors"] = [a for a in truth["authors"] if a in shown]
            write(f"{name}-{i}", body, url, 200, headers, truth)
    body, headers, truth = not_found_200(pool["ru"][0], "https://portal.example.kz/news/missing.html")
    write("own-notfound200", body, "https://portal.example.kz/news/missing.html", 200, headers, truth)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gold_extract", description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    n = build()
    print(f"wrote {n} pages to {GOLD_DIR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
