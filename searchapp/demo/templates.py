"""The four outlets' page templates: the same kind of record, four different kinds of markup.

Each template renders an article page and a list page (front page, section, tag, calendar) as an HTML
string, wrapping the story in that outlet's furniture (`boilerplate.py`). They differ the way real
Kazakhstan sites differ, so that extraction is tested on variety: `<article>` with JSON-LD (ertis), an old
table layout in windows-1251 with session ids in links (ontustik), Bitrix's `div.news-detail` (sarbiz),
WordPress with Open Graph, `<time datetime>` and a "read also" link inside the text (batys). All text goes
through `e()` (html.escape); the output depends on the inputs only, so pages are byte-identical every run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from searchapp.demo.boilerplate import CLOCK_SCRIPT, READER_COMMENTS, TYPO_SCRIPT, e, rates_text, share_links, w
from searchapp.demo.content import DemoArticle
from searchapp.demo.outlets import Site, section_label, session_id, views
from searchapp.demo.render import date_kk_comma, date_kk_year, date_numeric, date_ru, local_iso


@dataclass(frozen=True, slots=True)
class ListView:
    """One list page: what to show and where its neighbours are."""

    lang: str
    heading: str
    path: str
    articles: tuple[DemoArticle, ...]
    prev_path: str | None = None
    next_path: str | None = None
    prev_label: str = ""
    next_label: str = ""
    front: bool = False


class Template:
    """Shared helpers; subclasses write the markup."""

    def article(self, site: Site, article: DemoArticle) -> str:
        raise NotImplementedError

    def listing(self, site: Site, view: ListView) -> str:
        raise NotImplementedError

    def date(self, article: DemoArticle) -> str:
        """The visible date, in the outlet's own format."""
        return date_numeric(article.published)

    def href(self, site: Site, here: str, path: str) -> str:
        """An internal link as this outlet writes it (root-relative by default)."""
        return path

    def menu(self, site: Site, lang: str, here: str, item: Callable[[str, str], str]) -> str:
        out = [item(self.href(site, here, site.outlet.front_path(lang)), w(lang, "home"))]
        for section in site.sections(lang):
            out.append(
                item(self.href(site, here, site.outlet.section_path(lang, section)), section_label(section, lang))
            )
        return "".join(out)

    def comments(self, lang: str, wrap: str, item: str) -> str:
        rows = "".join(
            f'<{item} class="comment"><b class="comment-author">{e(name)}</b> <span>{e(text)}</span></{item}>'
            for name, text in READER_COMMENTS[lang]
        )
        return f'<{wrap} class="comment-list">{rows}</{wrap}>'

    def comment_form(self, lang: str, action: str, cls: str) -> str:
        return (
            f'<form class="{cls}" method="post" action="{e(action)}">'
            f'<h3>{w(lang, "comment")}</h3><p class="hint">{w(lang, "comment_rules")}</p>'
            f'<input type="text" name="name" placeholder="{w(lang, "comment_name")}">'
            f'<textarea name="text" placeholder="{w(lang, "comment_text")}"></textarea>'
            f'<button type="submit">{w(lang, "comment_send")}</button></form>'
        )

    def rates(self, sep: str = " ") -> str:
        return sep.join(f"<span>{e(part)}</span>" for part in _pairs(rates_text()))


def _pairs(text: str) -> list[str]:
    words = text.split()
    return [f"{words[i]} {words[i + 1]}" for i in range(0, len(words), 2)]


def _pager(view: ListView, href: Callable[[str], str], cls: str, lang: str) -> str:
    parts = []
    if view.prev_path:
        parts.append(
            f'<a class="prev" rel="prev" href="{e(href(view.prev_path))}">{e(view.prev_label or w(lang, "prev"))}</a>'
        )
    if view.next_path:
        parts.append(
            f'<a class="next" rel="next" href="{e(href(view.next_path))}">{e(view.next_label or w(lang, "next"))}</a>'
        )
    return f'<div class="{cls}">{" ".join(parts)}</div>' if parts else ""


class ErtisTemplate(Template):
    """A Kazakh weekly's own site: semantic HTML5, `<article>`, JSON-LD NewsArticle."""

    def date(self, article: DemoArticle) -> str:
        return date_kk_comma(article.published)

    def frame(self, site: Site, title: str, body: str, head: str = "") -> str:
        lang = "kk"
        menu = self.menu(site, lang, "", lambda href, label: f'<li><a href="{e(href)}">{e(label)}</a></li>')
        return (
            f'<!DOCTYPE html>\n<html lang="kk"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)}</title>"
            f'<link rel="alternate" type="application/rss+xml" title="{e(site.outlet.name)}" href="/rss.xml">'
            f"{head}</head><body>"
            f'<div class="topbar"><span class="rates">{self.rates()}</span>'
            f'<span class="weather">{e(site.outlet.weather)}</span> <span class="clock" id="clock">--:--</span></div>'
            f'<header class="site-header"><a class="logo" href="/">{e(site.outlet.name)}</a>'
            f'<form class="search" action="/search"><input name="q" placeholder="{w(lang, "search")}"></form>'
            f'<nav class="main-menu"><ul>{menu}</ul></nav></header>'
            f'<main class="container">{body}</main>'
            f'<aside class="tg-promo"><a href="https://t.me/ertistany_demo">{w(lang, "telegram")}</a>'
            f"<p>{w(lang, 'telegram_sub')}</p></aside>"
            f'<footer class="site-footer"><p>© 2018–2026 «{e(site.outlet.name)}». {w(lang, "rights")}</p>'
            f"<p>{w(lang, 'contacts')}: Павлодар қ., Сәтбаев көшесі, 50. Тел.: +7 (7182) 00-00-00</p>"
            f'<p><a href="/reklama/">{w(lang, "ads")}</a></p></footer>'
            f'<div class="cookie-banner">{w(lang, "cookie")} <button>{w(lang, "cookie_ok")}</button></div>'
            f"{CLOCK_SCRIPT}{TYPO_SCRIPT}</body></html>\n"
        )

    def article(self, site: Site, article: DemoArticle) -> str:
        url = site.article_url(article)
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "description": article.lead,
            "datePublished": local_iso(article.published),
            "dateModified": local_iso(article.published),
            "inLanguage": article.lang,
            "author": [{"@type": "Person", "name": name} for name in article.authors],
            "publisher": {"@type": "Organization", "name": site.outlet.name},
            "mainEntityOfPage": url,
            "keywords": ", ".join(article.tags),
        }
        # "</" inside a script would end it early; JSON allows the escaped slash.
        ld = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        head = f'<link rel="canonical" href="{e(url)}"><script type="application/ld+json">{ld}</script>'
        tags = "".join(
            f'<li><a href="{e(site.outlet.tag_path("kk", t) or "/")}">#{e(t)}</a></li>' for t in article.tags
        )
        related = "".join(
            f'<li><a href="{e(site.outlet.article_path(r))}">{e(r.title)}</a> <span>{self.date(r)}</span></li>'
            for r in site.related(article)
        )
        paragraphs = "".join(f"<p>{e(p)}</p>" for p in article.paragraphs)
        body = (
            f'<article class="post"><header><h1 class="post-title">{e(article.title)}</h1>'
            f'<div class="post-meta"><span class="post-date">{self.date(article)}</span> '
            f'<span class="post-time">{article.published:%H:%M}</span> '
            f'<span class="post-views">{w("kk", "views")}: {views(article)}</span></div></header>'
            f'<p class="post-lead"><strong>{e(article.lead)}</strong></p>'
            f'<figure class="post-image"><img src="/img/{e(article.slug)}.svg" alt="{e(article.title)}">'
            f"<figcaption>{w('kk', 'photo')}</figcaption></figure>"
            f'<div class="post-content">{paragraphs}</div>'
            f'<div class="post-author">{w("kk", "author")}: {e(", ".join(article.authors))}</div>'
            f'<ul class="post-tags">{tags}</ul>'
            f'<div class="share"><span>{w("kk", "share")}:</span>{share_links(url, "share-btn")}</div>'
            f'<p class="typo-hint">{w("kk", "typo")}</p></article>'
            f'<aside class="related"><h3>{w("kk", "related")}</h3><ul>{related}</ul></aside>'
            f'<section class="comments">{self.comment_form("kk", "/comment/", "comment-form")}</section>'
        )
        return self.frame(site, f"{article.title} | {site.outlet.name}", body, head)

    def listing(self, site: Site, view: ListView) -> str:
        items = "".join(
            f'<li class="news-item"><a href="{e(site.outlet.article_path(a))}">{e(a.title)}</a>'
            f'<span class="date">{self.date(a)}</span><p>{e(a.lead)}</p></li>'
            for a in view.articles
        )
        more = f'<p class="all-news"><a href="/news/">{w("kk", "all_news")}</a></p>' if view.front else ""
        pager = _pager(view, lambda p: p, "pagination", "kk")
        return self.frame(
            site,
            f"{view.heading} | {site.outlet.name}",
            f"<h1>{e(view.heading)}</h1><ul class='news-list'>{items}</ul>{pager}{more}",
        )


class OntustikTemplate(Template):
    """An old PHP CMS from the 2000s: tables, windows-1251, `?sid=` on every internal link."""

    def href(self, site: Site, here: str, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{path}{sep}sid={session_id(here, path)}"

    def frame(self, site: Site, here: str, title: str, center: str, right: str = "", head: str = "") -> str:
        lang = "ru"
        menu = self.menu(
            site,
            lang,
            here,
            lambda href, label: f'<tr><td class="menu"><a class="menu" href="{e(href)}">{e(label)}</a></td></tr>',
        )
        rates = "".join(f"<tr><td>{e(pair)}</td></tr>" for pair in _pairs(rates_text()))
        return (
            '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n'
            f'<html><head><meta charset="windows-1251"><title>{e(title)}</title>{head}</head>'
            '<body bgcolor="#ffffff" leftmargin="0" topmargin="0">'
            '<table width="100%" border="0" cellpadding="0" cellspacing="0" class="top">'
            f'<tr><td class="logo"><a href="{e(self.href(site, here, "/"))}"><b>{e(site.outlet.name)}</b></a><br>'
            "<small>Информационный портал Южного Казахстана</small></td>"
            f'<td class="clock" id="clock" align="right">--:--</td></tr></table>'
            '<table width="100%" border="0" cellpadding="4" cellspacing="0" class="main"><tr>'
            f'<td width="180" valign="top" class="left"><table class="menu">{menu}</table>'
            f'<div class="weather"><b>{w(lang, "weather")}</b><br>{e(site.outlet.weather)}</div></td>'
            f'<td valign="top" class="content">{center}</td>'
            f'<td width="220" valign="top" class="right"><table class="rates"><tr><th>{w(lang, "rates")}</th>'
            f"</tr>{rates}</table>"
            f"{right}"
            f'<div class="tg"><a href="https://t.me/yuzhkur_demo"><b>{w(lang, "telegram")}</b></a></div></td>'
            "</tr></table>"
            f'<table width="100%" class="bottom"><tr><td>© «{e(site.outlet.name)}», 2008–2026. {w(lang, "rights")}<br>'
            "Шымкент, пр. Тауке хана, 12. Тел.: +7 (7252) 00-00-00. "
            f'<a href="{e(self.href(site, here, "/reklama/"))}">{w(lang, "ads")}</a></td></tr></table>'
            f'<div id="cookie" class="cookie">{w(lang, "cookie")} '
            f'<a href="#" onclick="return false">{w(lang, "cookie_ok")}</a></div>'
            f"{CLOCK_SCRIPT}{TYPO_SCRIPT}</body></html>\n"
        )

    def article(self, site: Site, article: DemoArticle) -> str:
        here = site.outlet.article_path(article)
        related = "".join(
            f'<li><a href="{e(self.href(site, here, site.outlet.article_path(r)))}">{e(r.title)}</a></li>'
            for r in site.related(article)
        )
        right = f'<div class="also"><b>{w("ru", "related")}:</b><ul>{related}</ul></div>'
        paragraphs = "".join(f"<p>{e(p)}</p>" for p in article.paragraphs)
        center = (
            f'<div class="date">{self.date(article)}</div>'
            f'<h1 class="title">{e(article.title)}</h1>'
            f'<div class="anons"><b>{e(article.lead)}</b></div>'
            f'<img src="/img/{e(article.slug)}.svg" width="400" alt=""><br>'
            f'<small class="photo">{w("ru", "photo")}</small>'
            f'<div class="text">{paragraphs}</div>'
            f'<div class="author">{w("ru", "author")}: {e(", ".join(article.authors))}</div>'
            f'<div class="tags">{w("ru", "tags")}: {e(", ".join(article.tags))}</div>'
            f'<div class="views">{w("ru", "views")}: {views(article)}</div>'
            f'<div class="share">{w("ru", "share")}: {share_links(site.article_url(article), "soc")}</div>'
            f'<a href="{e("/print" + here)}">{w("ru", "print")}</a>'
            f'<p class="typo"><i>{w("ru", "typo")}</i></p>'
            f"<h3>{w('ru', 'comments')} (2)</h3>{self.comments('ru', 'table', 'tr')}"
            f"{self.comment_form('ru', self.href(site, here, '/comments/add.php'), 'addcomment')}"
        )
        head = f'<link rel="canonical" href="{e(site.article_url(article))}">'
        return self.frame(site, here, f"{article.title} - {site.outlet.name}", center, right, head)

    def print_page(self, site: Site, article: DemoArticle) -> str:
        paragraphs = "".join(f"<p>{e(p)}</p>" for p in article.paragraphs)
        return (
            f'<html><head><meta charset="windows-1251"><title>{e(article.title)}</title></head><body onload="print()">'
            f"<h1>{e(article.title)}</h1><p>{self.date(article)}</p><p><b>{e(article.lead)}</b></p>{paragraphs}"
            "</body></html>\n"
        )

    def listing(self, site: Site, view: ListView) -> str:
        rows = "".join(
            f'<tr><td class="date" width="110">{self.date(a)}</td>'
            f'<td><a class="title" href="{e(self.href(site, view.path, site.outlet.article_path(a)))}">{e(a.title)}</a>'
            f"<br>{e(a.lead)}</td></tr>"
            for a in view.articles
        )
        pager = _pager(view, lambda p: self.href(site, view.path, p), "pages", "ru")
        more = (
            f'<p><a href="{e(self.href(site, view.path, "/lenta/"))}">{w("ru", "all_news")}</a></p>'
            if view.front
            else ""
        )
        center = f'<h1 class="title">{e(view.heading)}</h1><table class="list" width="100%">{rows}</table>{pager}{more}'
        return self.frame(site, view.path, f"{view.heading} - {site.outlet.name}", center)


class SarbizTemplate(Template):
    """Bitrix: `div.news-detail`, a language switch, Bitrix's class names, a calendar of events."""

    def date(self, article: DemoArticle) -> str:
        return date_kk_year(article.published) if article.lang == "kk" else date_ru(article.published)

    def frame(self, site: Site, lang: str, title: str, body: str, head: str = "", crumbs: str = "") -> str:
        menu = self.menu(
            site, lang, "", lambda href, label: f'<li class="top-menu__item"><a href="{e(href)}">{e(label)}</a></li>'
        )
        calendar = f'<li class="top-menu__item"><a href="/calendar">{w(lang, "calendar")}</a></li>'
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}"><head>'
            '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
            f"<title>{e(title)}</title>"
            '<link href="/bitrix/templates/sarbiz/styles.css" type="text/css" rel="stylesheet">'
            '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss/">'
            f"{head}</head><body>"
            '<div class="header-top"><div class="lang-switch"><a href="/">RU</a> | <a href="/kk/">KZ</a></div>'
            f'<div class="currency-widget">{self.rates(" · ")}</div>'
            f'<div class="weather-widget">{e(site.outlet.weather)}</div><div class="clock" id="clock">--:--</div></div>'
            '<div class="header">'
            f'<a class="header__logo" href="{e(site.outlet.front_path(lang))}">{e(site.outlet.name)}</a></div>'
            f'<ul class="top-menu">{menu}{calendar}</ul>'
            f'<div class="breadcrumbs">{crumbs}</div>'
            f'<div class="workarea">{body}</div>'
            f'<div class="telegram-banner"><a href="https://t.me/sarbiz_demo">{w(lang, "telegram")}</a>'
            f"<span>{w(lang, 'telegram_sub')}</span></div>"
            f'<div class="footer"><div class="footer__copy">© «{e(site.outlet.name)}» 2026. {w(lang, "rights")}</div>'
            '<div class="footer__address">Қарағанды, Бұқар жырау даңғылы, 49 / Караганда, пр. Бухар жырау, 49</div>'
            "</div>"
            f'<div class="cookie-notice" id="cookie-notice">{w(lang, "cookie")}'
            f'<button class="cookie-notice__btn">{w(lang, "cookie_ok")}</button></div>'
            f"{CLOCK_SCRIPT}{TYPO_SCRIPT}</body></html>\n"
        )

    def article(self, site: Site, article: DemoArticle) -> str:
        lang = article.lang
        url = site.article_url(article)
        section_path = site.outlet.section_path(lang, article.section)
        crumbs = (
            f'<a href="{e(site.outlet.front_path(lang))}">{w(lang, "home")}</a> / '
            f'<a href="{e(section_path)}">{e(section_label(article.section, lang))}</a>'
        )
        related = "".join(
            f'<div class="news-item"><a href="{e(site.outlet.article_path(r))}">{e(r.title)}</a>'
            f'<span class="news-date-time">{self.date(r)}</span></div>'
            for r in site.related(article)
        )
        paragraphs = "".join(f"<p>{e(p)}</p>" for p in article.paragraphs)
        body = (
            f'<h1 class="page-title">{e(article.title)}</h1>'
            '<div class="news-detail">'
            f'<span class="news-date-time">{self.date(article)}</span>'
            f'<span class="news-views">{w(lang, "views")}: {views(article)}</span>'
            f'<img class="detail_picture" src="/img/{e(article.slug)}.svg" alt="{e(article.title)}">'
            f'<div class="detail_picture_text">{w(lang, "photo")}</div>'
            f'<div class="news-detail__preview">{e(article.lead)}</div>'
            f'<div class="news-detail__text">{paragraphs}</div>'
            f'<div class="news-detail__author">{w(lang, "author")}: {e(", ".join(article.authors))}</div>'
            f'<div class="news-detail__tags">{w(lang, "tags")}: {e(", ".join(article.tags))}</div>'
            "</div>"
            f'<div class="news-detail-share">{w(lang, "share")}: {share_links(url, "share-link")}</div>'
            f'<div class="typo-notice">{w(lang, "typo")}</div>'
            f'<div class="news-list-related"><div class="title">{w(lang, "related")}</div>{related}</div>'
            f'<div class="reviews">{self.comment_form(lang, "/ajax/comment.php", "reviews-form")}</div>'
        )
        head = f'<link rel="canonical" href="{e(url)}"><meta name="description" content="{e(article.lead)}">'
        return self.frame(site, lang, article.title, body, head, crumbs)

    def listing(self, site: Site, view: ListView) -> str:
        lang = view.lang
        items = "".join(
            f'<div class="news-item"><span class="news-date-time">{self.date(a)}</span>'
            f'<a class="news-item__title" href="{e(site.outlet.article_path(a))}"><b>{e(a.title)}</b></a>'
            f'<div class="news-item__preview">{e(a.lead)}</div></div>'
            for a in view.articles
        )
        if not items:
            items = f'<p class="empty">{w(lang, "no_events")}</p>'
        more = (
            f'<a class="news-list__more" href="{e(site.outlet.all_path(lang))}">{w(lang, "all_news")}</a>'
            if view.front
            else ""
        )
        pager = _pager(view, lambda p: p, "modern-page-navigation", lang)
        body = f'<h1 class="page-title">{e(view.heading)}</h1><div class="news-list">{items}</div>{pager}{more}'
        return self.frame(site, lang, view.heading, body)


class BatysTemplate(Template):
    """WordPress with a language plugin: Open Graph, `<time datetime>`, an inline "read also" link."""

    def date(self, article: DemoArticle) -> str:
        if article.lang == "kk":
            return f"{article.published:%H:%M}, {date_kk_comma(article.published)}"
        return f"{article.published:%H:%M}, {date_ru(article.published)}"

    def frame(self, site: Site, lang: str, title: str, body: str, head: str = "", classes: str = "") -> str:
        menu = self.menu(
            site, lang, "", lambda href, label: f'<li class="menu-item"><a href="{e(href)}">{e(label)}</a></li>'
        )
        locale = "kk_KZ" if lang == "kk" else "ru_RU"
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}" prefix="og: https://ogp.me/ns#"><head><meta charset="UTF-8">'
            f'<title>{e(title)}</title><meta property="og:site_name" content="{e(site.outlet.name)}">'
            f'<meta property="og:locale" content="{locale}">{head}'
            f'<link rel="alternate" type="application/rss+xml" href="/feed/"></head>'
            f'<body class="{classes}"><div id="page" class="site">'
            f'<div class="td-header-top"><div class="td-rates">{self.rates()}</div>'
            f'<div class="td-weather">{e(site.outlet.weather)}</div><div class="td-clock" id="clock">--:--</div>'
            '<div class="lang-menu"><a href="/">ҚАЗ</a> <a href="/ru/">РУС</a></div></div>'
            '<header id="masthead" class="site-header"><p class="site-title">'
            f'<a href="{e(site.outlet.front_path(lang))}" rel="home">'
            f'{e(site.outlet.name)}</a></p><nav class="main-navigation"><ul id="primary-menu">{menu}</ul></nav>'
            "</header>"
            f'<div id="content" class="site-content"><main id="main" class="site-main">{body}</main>'
            f'<aside id="secondary" class="widget-area"><section class="widget widget_telegram">'
            f'<a href="https://t.me/batysinfo_demo">{w(lang, "telegram")}</a><p>{w(lang, "telegram_sub")}</p></section>'
            f"{self.most_read(site, lang)}</aside></div>"
            '<footer id="colophon" class="site-footer">'
            f'<div class="site-info">© {e(site.outlet.name)}, 2026. {w(lang, "rights")}'
            "</div><div>Атырау, Сәтпаев даңғылы, 7. +7 (7122) 00-00-00</div></footer></div>"
            f'<div class="cookie-law-info-bar">{w(lang, "cookie")} '
            f'<a class="cli_action_button">{w(lang, "cookie_ok")}</a></div>'
            f"{CLOCK_SCRIPT}{TYPO_SCRIPT}</body></html>\n"
        )

    def most_read(self, site: Site, lang: str) -> str:
        top = sorted(site.visible(lang), key=lambda a: (-views(a), a.slug))[:4]
        items = "".join(
            f'<li><a href="{e(site.outlet.article_path(a))}">{e(a.title)}</a> <span class="views">{views(a)}</span>'
            "</li>"
            for a in top
        )
        heading = f'<h2 class="widget-title">{w(lang, "most_read")}</h2>'
        return f'<section class="widget widget_popular">{heading}<ul>{items}</ul></section>'

    def article(self, site: Site, article: DemoArticle) -> str:
        lang = article.lang
        url = site.article_url(article)
        iso = local_iso(article.published)
        head = (
            f'<link rel="canonical" href="{e(url)}"><meta property="og:type" content="article">'
            f'<meta property="og:title" content="{e(article.title)}">'
            f'<meta property="og:description" content="{e(article.lead)}">'
            f'<meta property="og:url" content="{e(url)}">'
            f'<meta property="og:image" content="{e(site.url("/img/" + article.slug + ".svg"))}">'
            f'<meta property="article:published_time" content="{iso}">'
            f'<meta property="article:section" content="{e(section_label(article.section, lang))}">'
            + "".join(f'<meta property="article:tag" content="{e(t)}">' for t in article.tags)
        )
        related = site.related(article)
        paragraphs = [f"<p>{e(p)}</p>" for p in article.paragraphs]
        if related and len(paragraphs) > 2:
            # Editors drop a "read also" link between paragraphs; it is not part of the story.
            inline = (
                f'<p class="read-also"><strong>{w(lang, "related")}:</strong> '
                f'<a href="{e(site.outlet.article_path(related[0]))}">{e(related[0].title)}</a></p>'
            )
            paragraphs.insert(len(paragraphs) // 2, inline)
        tags = ", ".join(
            f'<a href="{e(site.outlet.tag_path(lang, t) or "/")}" rel="tag">{e(t)}</a>' for t in article.tags
        )
        posts = "".join(
            f'<div class="jp-relatedposts-post"><a href="{e(site.outlet.article_path(r))}">{e(r.title)}</a>'
            f'<time datetime="{local_iso(r.published)}">{self.date(r)}</time></div>'
            for r in related
        )
        body = (
            f'<article class="post type-post status-publish format-standard hentry category-{e(article.section)}">'
            f'<header class="entry-header"><h1 class="entry-title">{e(article.title)}</h1>'
            f'<div class="entry-meta"><time class="entry-date published" datetime="{iso}">{self.date(article)}</time> '
            f'<span class="byline"><span class="author vcard">{e(", ".join(article.authors))}</span></span> '
            f'<span class="post-views">{views(article)}</span></div></header>'
            f'<figure class="wp-caption"><img src="/img/{e(article.slug)}.svg" alt="">'
            f'<figcaption class="wp-caption-text">{w(lang, "photo")}</figcaption></figure>'
            f'<div class="entry-content"><p class="lead"><strong>{e(article.lead)}</strong>'
            f"</p>{''.join(paragraphs)}</div>"
            f'<footer class="entry-footer"><span class="tags-links">{w(lang, "tags")}: {tags}</span></footer>'
            '<div class="sharedaddy">'
            f'<h3 class="sd-title">{w(lang, "share")}</h3>{share_links(url, "share-icon")}</div>'
            f'<p class="typo-report">{w(lang, "typo")}</p></article>'
            f'<div class="jp-relatedposts"><h3 class="jp-relatedposts-headline">{w(lang, "related")}</h3>{posts}</div>'
            f'<div id="comments" class="comments-area"><h2 class="comments-title">{w(lang, "comments")}</h2>'
            f"{self.comments(lang, 'ol', 'li')}"
            f'<div id="respond">{self.comment_form(lang, "/wp-comments-post.php", "comment-form")}</div></div>'
        )
        return self.frame(site, lang, f"{article.title} – {site.outlet.name}", body, head, "single single-post")

    def listing(self, site: Site, view: ListView) -> str:
        lang = view.lang
        items = "".join(
            '<article class="post hentry"><h2 class="entry-title">'
            f'<a href="{e(site.outlet.article_path(a))}" rel="bookmark">'
            f'{e(a.title)}</a></h2><time class="entry-date" datetime="{local_iso(a.published)}">{self.date(a)}</time>'
            f'<div class="entry-summary"><p>{e(a.lead)}</p></div></article>'
            for a in view.articles
        )
        more = (
            f'<a class="more-link" href="{e(site.outlet.all_path(lang))}">{w(lang, "all_news")}</a>'
            if view.front
            else ""
        )
        pager = _pager(view, lambda p: p, "nav-links", lang)
        body = f'<header class="page-header"><h1 class="page-title">{e(view.heading)}</h1></header>{items}{pager}{more}'
        return self.frame(site, lang, f"{view.heading} – {site.outlet.name}", body, classes="archive")


TEMPLATES: dict[str, Template] = {
    "ertis": ErtisTemplate(),
    "ontustik": OntustikTemplate(),
    "sarbiz": SarbizTemplate(),
    "batys": BatysTemplate(),
}
