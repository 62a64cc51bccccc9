"""The furniture every demo page carries around its article, in Kazakh and Russian and in our own words.

Real regional sites wrap a story in menus, currency and weather widgets, share buttons, "read also"
blocks, Telegram promos, cookie banners, comment forms and "report a typo" prompts; extraction must learn to
leave all of it out. The page templates (`templates.py`) place these pieces in their own markup; the words
live here once, so the tests can look for them.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

RATES = (("USD", "468.56"), ("EUR", "497.56"), ("RUB", "7.3"), ("CNY", "67.18"))

WORDS: dict[str, dict[str, str]] = {
    "ru": {
        "home": "Главная",
        "all_news": "Все новости",
        "share": "Поделиться",
        "related": "Читайте также",
        "telegram": "ПОДПИСЫВАЙТЕСЬ НА НАС В TELEGRAM",
        "telegram_sub": "Главные новости региона без задержек: в нашем канале",
        "cookie": "Мы используем файлы cookie, чтобы сайт работал удобнее. Оставаясь на сайте, вы соглашаетесь с этим.",
        "cookie_ok": "Понятно",
        "comment": "Оставить комментарий",
        "comment_name": "Ваше имя",
        "comment_text": "Текст комментария",
        "comment_send": "Отправить",
        "comment_rules": "Комментарии публикуются после проверки модератором.",
        "typo": "Сообщите об ошибке: выделите текст и нажмите Ctrl+Enter",
        "views": "Просмотров",
        "photo": "Фото пресс-службы акимата",
        "author": "Автор",
        "tags": "Теги",
        "next": "Следующая",
        "prev": "Предыдущая",
        "page": "Страница",
        "most_read": "Самое читаемое",
        "search": "Поиск по сайту",
        "rates": "Курсы валют",
        "weather": "Погода",
        "rights": "Все права защищены. При использовании материалов ссылка на сайт обязательна.",
        "ads": "Реклама на сайте",
        "contacts": "Контакты редакции",
        "calendar": "Календарь событий",
        "no_events": "В этом месяце событий нет.",
        "comments": "Комментарии",
        "print": "Версия для печати",
        "more": "Подробнее",
    },
    "kk": {
        "home": "Басты бет",
        "all_news": "Барлық жаңалықтар",
        "share": "Бөлісу",
        "related": "Тақырып бойынша",
        "telegram": "Telegram арнамызға жазылыңыз",
        "telegram_sub": "Өңірдің ең маңызды жаңалықтары бірінші болып біздің арнада",
        "cookie": "Сайт ыңғайлы жұмыс істеуі үшін cookie файлдарын қолданамыз. Сайтта қалсаңыз, бұған келісесіз.",
        "cookie_ok": "Түсінікті",
        "comment": "Пікір қалдыру",
        "comment_name": "Атыңыз",
        "comment_text": "Пікіріңіз",
        "comment_send": "Жіберу",
        "comment_rules": "Пікірлер модератор тексергеннен кейін жарияланады.",
        "typo": "Қате тапсаңыз, белгілеп ctrl+enter басыңыз",
        "views": "Қаралым",
        "photo": "Сурет әкімдіктің баспасөз қызметінен",
        "author": "Автор",
        "tags": "Тегтер",
        "next": "Келесі",
        "prev": "Алдыңғы",
        "page": "Бет",
        "most_read": "Көп оқылғандар",
        "search": "Сайттан іздеу",
        "rates": "Валюта бағамы",
        "weather": "Ауа райы",
        "rights": "Барлық құқық қорғалған. Материалдарды пайдаланғанда сайтқа сілтеме міндетті.",
        "ads": "Сайттағы жарнама",
        "contacts": "Редакция байланыстары",
        "calendar": "Іс-шаралар күнтізбесі",
        "no_events": "Бұл айда іс-шара жоқ.",
        "comments": "Пікірлер",
        "print": "Басып шығару нұсқасы",
        "more": "Толығырақ",
    },
}

# Readers' comments under an article: furniture too, and the hardest kind, because it is prose.
READER_COMMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "ru": (
        ("Айдар", "Хорошая новость, лишь бы построили в срок и без удорожания."),
        ("Наталья К.", "А дорогу к объекту кто будет ремонтировать? Каждую весну одно и то же."),
    ),
    "kk": (
        ("Ерболат", "Жақсы жаңалық, тек уақытында салынса екен."),
        ("Гүлнар", "Жұмысқа жергілікті жастар алынса дұрыс болар еді."),
    ),
}

SHARE_TARGETS = (
    ("Telegram", "https://t.me/share/url?url="),
    ("WhatsApp", "https://wa.me/?text="),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u="),
    ("VK", "https://vk.com/share.php?url="),
)

CLOCK_SCRIPT = (
    "<script>setInterval(function(){var d=new Date(),e=document.getElementById('clock');"
    "if(e){e.textContent=('0'+d.getHours()).slice(-2)+':'+('0'+d.getMinutes()).slice(-2);}},1000);</script>"
)
TYPO_SCRIPT = (
    "<script>document.addEventListener('keydown',function(ev){if(ev.ctrlKey&&ev.key==='Enter'){"
    "var s=String(window.getSelection());if(s){alert('OK: '+s.slice(0,80));}}});</script>"
)


def e(text: str) -> str:
    """Escape text for HTML content and attribute values alike."""
    return escape(text, quote=True)


def w(lang: str, key: str) -> str:
    return WORDS["kk" if lang == "kk" else "ru"][key]


def rates_text() -> str:
    return " ".join(f"{code} {value}" for code, value in RATES)


def share_links(url: str, cls: str) -> str:
    return "".join(
        f'<a class="{cls}" href="{e(base + quote(url, safe=""))}" rel="nofollow noopener" target="_blank">{name}</a>'
        for name, base in SHARE_TARGETS
    )
