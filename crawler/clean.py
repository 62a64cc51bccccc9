"""Boilerplate lines of Kazakh and Russian news pages, recognised and removed from extracted text.

trafilatura finds the article's block; inside it and around it this press puts lines no reader searches for:
share and subscribe calls ("Поделитесь новостью", "ПОДПИСЫВАЙТЕСЬ НА НАС В TELEGRAM"), "read also" links
("Читайте также", "Тақырып бойынша"), error-report hints ("Қате тапсаңыз ... ctrl+enter"), comment prompts
("Пікір қалдыру"), currency tickers ("USD 468.56"), weather ("+35°"), clocks, view counters, photo credits
("Фото пресс-службы акимата", "Сурет: ..."), cookie notices, copyright lines. `clean_paragraphs` is the
step extraction runs after the body is found; `is_boilerplate` is also what the evaluation uses to check
that no such line is left in any body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FLAGS = re.IGNORECASE | re.UNICODE

# Lines that are boilerplate whatever follows them on the line (calls to action, navigation headings).
_STARTS = re.compile(
    r"^[\s\W]*(?:"
    r"поделит(?:есь|ься)|поделиться|бөлісу|бөлісіңіз|жаңалықпен бөлісіңіз|"
    r"следите за (?:нами|новостями)|подписывайтесь|подпишитесь|жазылыңыз|бізге жазылыңыз|"
    r"сообщите об ошибке|нашли ошибку|если вы (?:нашли|заметили) ошибку|қате тапсаңыз|қатені байқасаңыз|"
    r"читайте (?:по теме|также|еще|ещё)|смотрите также|тақырып бойынша|тақырыпқа қатысты|оқи отырыңыз|"
    r"сондай-ақ оқыңыз|"
    r"пікір қалдыр|пікір жаз|оставить комментарий|добавить комментарий|комментариев нет|авторизуйтесь|"
    r"просмотр(?:ов|ы|а)?\s*[:\d]|қаралым|көрілім|көрсетілім саны|views\s*[:\d]|"
    r"(?:тэги|теги|тегтер|метки|tags)\s*:|"
    r"(?:опубликовано|дата публикации|обновлено|жарияланды|жарияланған уақыты|жаңартылды)(?:\s*:|\s+\d)|"
    r"все права защищены|барлық құқықтар|при (?:использовании|цитировании) материалов|"
    r"материалдарды пайдаланғанда|©|copyright|"
    r"наш telegram|біздің telegram|telegram-арна|telegram-канал|"
    r"мы используем (?:файлы )?cookie|сайт использует (?:файлы )?cookie|this site uses cookies|"
    r"we use cookies|сайт cookie"
    r")",
    _FLAGS,
)
# Headings of page blocks: boilerplate when they are the whole line.
_HEADINGS = re.compile(
    r"^\W*(?:ұқсас жаңалықтар|похожие (?:новости|материалы)|другие новости|последние новости|лента новостей|"
    r"популярное|самое читаемое|көп оқылған|соңғы жаңалықтар|басқа жаңалықтар|реклама|жарнама|"
    r"комментарии|пікірлер|комментарий)\W*(?:\d+\W*)?$",
    _FLAGS,
)
# Short lines that are boilerplate when they contain these, wherever. (Not the names of networks alone:
# "сообщили в Telegram-канале акимата" is news.)
_CONTAINS = re.compile(r"ctrl\s*\+\s*enter|подписывайтесь|жазылыңыз|поделиться", _FLAGS)
# A cookie notice names cookies AND what the site does with them or asks of the reader: a recipe or a joke
# about cookies is text.
_COOKIE = re.compile(r"cookie|куки", _FLAGS)
_COOKIE_NOTICE = re.compile(
    r"использ|примен|принима|принять|соглас|настро|политик|браузер|сайт|қолдан|келісі|"
    r"\b(?:use[sd]?|using|accept\w*|consent\w*|polic\w*|settings|browser|site|website)\b",
    _FLAGS,
)
_CREDIT = re.compile(
    r"^[\s(\[]*(?:фото|фотo|сурет|суреттер|видео|коллаж|иллюстрация|инфографика|photo|источник фото|"
    r"фотосурет|фото- и видео\w*)(?:\s|:|/|©|—|-|$)",
    _FLAGS,
)
_CURRENCY = re.compile(
    r"^(?:\s*(?:USD|EUR|RUB|CNY|GBP|KZT|KGS|UZS|TRY|JPY|\$|€|₽|¥|£|нефть|brent|золото|алтын|мұнай)"
    r"\s*[:=]?\s*[\d\s]+(?:[.,]\d+)?\s*(?:₸|тг|тенге)?\s*[▲▼↑↓+−-]?\s*(?:[\d.,]+%?)?[\s|/·]*)+$",
    _FLAGS,
)
# A weather widget: a temperature a place can have (one or two digits, not "180 °C" of an oven) in a line
# that is little more than it ("+35°", "Астана −5°", "Погода: +35°").
_WEATHER = re.compile(r"(?<![\d.,])[+−-]?\s?\d{1,2}\s?°\s?[CС]?", _FLAGS)
_CLOCK_OR_DATE_ONLY = re.compile(
    r"^[\s|/·,—–-]*(?:(?:\d{1,2}[:.]\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|сегодня|вчера|бүгін|кеше)"
    r"[\s|/·,—–-]*)+$",
    _FLAGS,
)
# A counter is a number with its icon or its word: a bare number is a list's item, a score, a phone number.
_COUNTER = re.compile(
    r"^\s*(?:[👁👀💬❤️♥🔥]+\s*\d[\d\s]*(?:просмотр\w*|views?|рет|пікір|комментари\w*)?|"
    r"\d[\d\s]*(?:просмотр\w*|views?|рет|пікір|комментари\w*))\s*$",
    _FLAGS,
)
_SOCIAL_ONLY = re.compile(
    r"^(?:\s*(?:facebook|vk|вконтакте|telegram|whatsapp|twitter|x|instagram|ok|одноклассники|youtube|tiktok|"
    r"поделиться|бөлісу|share|email|e-mail|print|печать|басып шығару)\s*[,|·/]?)+$",
    _FLAGS,
)
# A view counter anywhere in a short line: "18 февраля 2026 | Просмотров: 412".
_COUNTER_IN_LINE = re.compile(r"(?:просмотр\w*|қаралым\w*|көрілім\w*|views?)\s*:?\s*\d", _FLAGS)
_WORD = re.compile(r"\w+", _FLAGS)


def is_boilerplate(line: str) -> bool:
    """Is this line page furniture rather than article text?"""
    text = line.strip()
    if not text:
        return True
    words = len(_WORD.findall(text))
    if (_STARTS.search(text) and words <= 40) or _HEADINGS.match(text):
        return True
    if _CURRENCY.match(text) or _CLOCK_OR_DATE_ONLY.match(text) or _COUNTER.match(text) or _SOCIAL_ONLY.match(text):
        return True
    if _CREDIT.match(text) and (words <= 3 or (words <= 12 and not text.endswith((".", "!", "?")))):
        return True
    if words <= 15 and _COUNTER_IN_LINE.search(text):
        return True
    if words <= 4 and _WEATHER.search(text):
        return True
    if words <= 40 and _COOKIE.search(text) and _COOKIE_NOTICE.search(text):
        return True
    return words <= 25 and bool(_CONTAINS.search(text))


def _headline_like(line: str) -> bool:
    """A linked headline after "Читайте также": short, no full stop at its end."""
    return len(_WORD.findall(line)) <= 25 and not line.rstrip().endswith((".", "!", "?", ":", ";"))


_READ_ALSO = re.compile(
    r"^\W*(?:читайте (?:по теме|также|еще|ещё)|смотрите также|тақырып бойынша|тақырыпқа қатысты|оқи отырыңыз|"
    r"сондай-ақ оқыңыз|ұқсас жаңалықтар)\W*$",
    _FLAGS,
)


def clean_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """The paragraphs with boilerplate lines removed; a bare "read also" heading takes its headline with it."""
    out: list[str] = []
    skip_headline = False
    for para in paragraphs:
        text = para.strip()
        if skip_headline:
            skip_headline = False
            if _headline_like(text):
                continue
        if _READ_ALSO.match(text):
            skip_headline = True
            continue
        if is_boilerplate(text):
            continue
        out.append(text)
    return out


def boilerplate_lines(text: str) -> list[str]:
    """The lines of `text` that are boilerplate (for the evaluation's "none left" check)."""
    return [line for line in text.splitlines() if line.strip() and is_boilerplate(line)]
