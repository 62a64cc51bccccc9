"""The four demo outlets: who they are and how each one lays out its URLs.

Between the content (`content.py`) and the pages (`templates.py`): an `Outlet` knows its name, languages,
encoding and URL scheme; a `Site` is one immutable snapshot of an outlet serving its articles at a base URL,
with the lookups the router needs (path -> article, path -> listing). Publishing an article at runtime makes
a new snapshot, so a request never sees half an update. Each scheme is modelled on a kind of CMS that
Kazakhstan's regional press runs (a hand-made Kazakh site, an old PHP CMS, Bitrix, WordPress).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import quote

from searchapp.demo.content import DemoArticle

PER_PAGE = 6
FEED_ITEMS = 20
HIDDEN_SECTION = "arkhiv"  # robots.txt disallows it on every outlet

SECTION_LABELS: dict[str, tuple[str, str]] = {  # slug -> (kk, ru)
    "ekonomika": ("Экономика", "Экономика"),
    "ondiris": ("Өндіріс", "Производство"),
    "auyl": ("Ауыл", "Село"),
    "energetika": ("Энергетика", "Энергетика"),
    "zhol": ("Жол", "Дороги"),
    "bilim": ("Білім", "Образование"),
    "densaulyq": ("Денсаулық", "Здоровье"),
    "tehnologiya": ("Технология", "Технологии"),
    "arkhiv": ("Мұрағат", "Архив"),
    "promyshlennost": ("Өнеркәсіп", "Промышленность"),
    "selskoe-hozyaystvo": ("Ауыл шаруашылығы", "Сельское хозяйство"),
    "dorogi": ("Жол", "Дороги"),
    "gornodobyvayushchaya": ("Тау-кен", "Горнодобыча"),
    "obshchestvo": ("Қоғам", "Общество"),
    "logistika": ("Логистика", "Логистика"),
    "obrazovanie": ("Білім", "Образование"),
    "kogam": ("Қоғам", "Общество"),
    "agro": ("Агро", "Агро"),
    "kurylys": ("Құрылыс", "Строительство"),
    "tau-ken": ("Тау-кен", "Горнодобыча"),
    "investitsiya": ("Инвестиция", "Инвестиции"),
}


def section_label(section: str, lang: str) -> str:
    labels = SECTION_LABELS.get(section)
    if labels is None:
        return section.replace("-", " ").capitalize()
    return labels[0] if lang == "kk" else labels[1]


@dataclass(frozen=True, slots=True)
class Outlet:
    """An outlet and its URL scheme. Subclasses override the paths; the base is the simplest scheme."""

    id: str
    name: str
    langs: tuple[str, ...]
    charset: str = "utf-8"
    gzip: bool = False
    page_param: str | None = "page"  # query parameter of list pages; None: the page is in the path
    yearly_sitemaps: bool = False
    calendar: bool = False  # the crawler trap: a calendar with endless next-month links
    session_ids: bool = False  # internal links carry ?sid=...
    weather: str = ""
    feed_path: str = "/rss.xml"
    shows_time: bool = True  # False: pages say the day only, so the time of publication cannot be known

    @property
    def default_lang(self) -> str:
        return self.langs[0]

    def front_path(self, lang: str) -> str:
        return "/" if lang == self.default_lang else f"/{lang}/"

    def all_path(self, lang: str) -> str:
        return "/news/"

    def section_path(self, lang: str, section: str) -> str:
        return f"/news/{section}/"

    def article_path(self, article: DemoArticle) -> str:
        return f"/news/{article.section}/{article.slug}.html"

    def tag_path(self, lang: str, tag: str) -> str | None:
        return None

    def page_path(self, list_path: str, n: int) -> str:
        if n <= 1:
            return list_path
        if self.page_param:
            return f"{list_path}?{self.page_param}={n}"
        return f"{list_path}page/{n}/"

    def disallowed(self) -> tuple[str, ...]:
        """Paths robots.txt disallows: where the hidden section's articles live."""
        return (f"/news/{HIDDEN_SECTION}/",)

    def article_pattern(self) -> str:
        return r"^/news/[a-z0-9-]+/[a-z0-9-]+\.html$"


@dataclass(frozen=True, slots=True)
class Ertis(Outlet):
    """A Kazakh weekly's own site: clean paths, tag pages, JSON-LD, per-year sitemaps, gzip."""

    def tag_path(self, lang: str, tag: str) -> str | None:
        return f"/tag/{quote(tag)}/"


@dataclass(frozen=True, slots=True)
class Ontustik(Outlet):
    """An old PHP CMS: sections at the root, windows-1251, session ids in links."""

    def all_path(self, lang: str) -> str:
        return "/lenta/"

    def section_path(self, lang: str, section: str) -> str:
        return f"/{section}/"

    def article_path(self, article: DemoArticle) -> str:
        return f"/{article.section}/{article.slug}.html"

    def disallowed(self) -> tuple[str, ...]:
        return (f"/{HIDDEN_SECTION}/", "/print/")

    def article_pattern(self) -> str:
        return r"^/[a-z0-9-]+/[a-z0-9-]+\.html$"


@dataclass(frozen=True, slots=True)
class Sarbiz(Outlet):
    """Bitrix: /ru/news/<section>/<slug>/, PAGEN_1 paging, a calendar of events."""

    def front_path(self, lang: str) -> str:
        return "/" if lang == "ru" else f"/{lang}/"

    def all_path(self, lang: str) -> str:
        return f"/{lang}/news/"

    def section_path(self, lang: str, section: str) -> str:
        return f"/{lang}/news/{section}/"

    def article_path(self, article: DemoArticle) -> str:
        return f"/{article.lang}/news/{article.section}/{article.slug}/"

    def disallowed(self) -> tuple[str, ...]:
        return tuple(f"/{lang}/news/{HIDDEN_SECTION}/" for lang in ("ru", "kk"))

    def article_pattern(self) -> str:
        return r"^/(?:ru|kk)/news/[a-z0-9-]+/[a-z0-9-]+/$"


@dataclass(frozen=True, slots=True)
class Batys(Outlet):
    """WordPress with a language plugin: dated paths, /page/N/ paging, tag pages, Open Graph, gzip."""

    def front_path(self, lang: str) -> str:
        return "/" if lang == "kk" else f"/{lang}/"

    def all_path(self, lang: str) -> str:
        return f"/{lang}/news/"

    def section_path(self, lang: str, section: str) -> str:
        return f"/{lang}/{section}/"

    def article_path(self, article: DemoArticle) -> str:
        return f"/{article.lang}/{article.section}/{article.published:%Y/%m/%d}/{article.slug}/"

    def tag_path(self, lang: str, tag: str) -> str | None:
        return f"/{lang}/tag/{quote(tag)}/"

    def disallowed(self) -> tuple[str, ...]:
        return tuple(f"/{lang}/{HIDDEN_SECTION}/" for lang in ("kk", "ru"))

    def article_pattern(self) -> str:
        return r"^/(?:kk|ru)/[a-z0-9-]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$"


OUTLETS: tuple[Outlet, ...] = (
    Ertis("ertis", "Ертіс таңы", ("kk",), gzip=True, yearly_sitemaps=True, weather="Павлодар +35°"),
    Ontustik(
        "ontustik",
        "Южный курьер",
        ("ru",),
        charset="windows-1251",
        session_ids=True,
        weather="Шымкент +38°",
        feed_path="/export/rss.xml",
    ),
    Sarbiz(
        "sarbiz",
        "Сарыарқа бизнес",
        ("ru", "kk"),
        page_param="PAGEN_1",
        calendar=True,
        weather="Караганда +28°",
        shows_time=False,
        feed_path="/rss/",
    ),
    Batys("batys", "Батыс инфо", ("kk", "ru"), gzip=True, page_param=None, weather="Атырау +40°", feed_path="/feed/"),
)
OUTLETS_BY_ID = {outlet.id: outlet for outlet in OUTLETS}


@dataclass(frozen=True, slots=True)
class Listing:
    """A list page before paging: the front page's "all news", a section or a tag."""

    kind: str  # "all", "section" or "tag"
    lang: str
    key: str  # section slug or tag
    path: str
    articles: tuple[DemoArticle, ...]

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.articles) // PER_PAGE))

    def page(self, n: int) -> tuple[DemoArticle, ...]:
        return self.articles[(n - 1) * PER_PAGE : n * PER_PAGE]


@dataclass(frozen=True, slots=True, eq=False)
class Site:
    """One outlet serving its articles (newest first) at `base_url`; immutable."""

    outlet: Outlet
    base_url: str
    articles: tuple[DemoArticle, ...]
    by_path: dict[str, DemoArticle] = field(default_factory=dict)
    lists: dict[str, tuple[Listing, int | None]] = field(default_factory=dict)  # path -> listing, page in path

    @classmethod
    def build(cls, outlet: Outlet, base_url: str, articles: tuple[DemoArticle, ...] | list[DemoArticle]) -> Site:
        ordered = tuple(sorted(articles, key=lambda a: (a.published, a.slug), reverse=True))
        site = cls(outlet, base_url.rstrip("/"), ordered)
        for article in ordered:
            site.by_path[outlet.article_path(article)] = article
        for lang in outlet.langs:
            mine = tuple(a for a in ordered if a.lang == lang)
            listings = [Listing("all", lang, "", outlet.all_path(lang), tuple(a for a in mine if not hidden(a)))]
            for section in sorted({a.section for a in mine}):
                in_section = tuple(a for a in mine if a.section == section)
                listings.append(Listing("section", lang, section, outlet.section_path(lang, section), in_section))
            for tag in sorted({t for a in mine for t in a.tags}):
                path = outlet.tag_path(lang, tag)
                if path is not None:
                    listings.append(Listing("tag", lang, tag, path, tuple(a for a in mine if tag in a.tags)))
            for listing in listings:
                site.lists[listing.path] = (listing, None if outlet.page_param else 1)
                if not outlet.page_param:
                    for n in range(2, listing.pages + 1):
                        site.lists[outlet.page_path(listing.path, n)] = (listing, n)
        return site

    def with_article(self, article: DemoArticle) -> Site:
        return Site.build(self.outlet, self.base_url, (*self.articles, article))

    def url(self, path: str) -> str:
        return self.base_url + path

    def article_url(self, article: DemoArticle) -> str:
        return self.url(self.outlet.article_path(article))

    def visible(self, lang: str) -> tuple[DemoArticle, ...]:
        """Articles of one language that the outlet shows on its front page and feeds."""
        return tuple(a for a in self.articles if a.lang == lang and not hidden(a))

    def sections(self, lang: str) -> list[str]:
        """Sections in menu order: the busiest first, the hidden one last."""
        counts: dict[str, int] = {}
        for a in self.articles:
            if a.lang == lang:
                counts[a.section] = counts.get(a.section, 0) + 1
        return sorted(counts, key=lambda s: (s == HIDDEN_SECTION, -counts[s], s))

    def related(self, article: DemoArticle, n: int = 3) -> list[DemoArticle]:
        """ "Read also": same language, same section first, never the article itself or the hidden section."""
        pool = [a for a in self.visible(article.lang) if a.slug != article.slug]
        pool.sort(key=lambda a: a.section != article.section)  # stable: newest first within each group
        return pool[:n]

    def allowed(self, path: str) -> bool:
        return not any(path.startswith(prefix) for prefix in self.outlet.disallowed())


def hidden(article: DemoArticle) -> bool:
    return article.section == HIDDEN_SECTION


def views(article: DemoArticle) -> int:
    """A view counter that stays the same on every run (pages must be byte-identical)."""
    digest = hashlib.sha1(article.key.encode("utf-8")).digest()
    return 120 + int.from_bytes(digest[:3], "big") % 9000


def session_id(page: str, link: str) -> str:
    """The old CMS's session id: a different one on every page, the same on every run."""
    return hashlib.sha1(f"{page} {link}".encode()).hexdigest()[:16]
