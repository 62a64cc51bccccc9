"""Amount facet: every monetary amount of a text, in digits or in words, Russian or Kazakh, with its KZT value.

One compiled regular expression finds a number (digits with spaces, non-breaking spaces or thin spaces between
thousands, a decimal comma or point; or number words: "үш жарым", "пять", "полтора", "он ... үш жүз"), optional
scale words (тыс., млн, миллиард, мың, трлн ...) and a currency (тенге/теңге with any Kazakh ending, доллар,
долл., $, евро, €, рубль, юань, ISO codes). Without a currency nothing counts, which is what keeps jobs,
hectares, percents, years and view counters out. A range ("от 10 до 15 млрд тенге", "10-15 млрд теңге") gives
both ends, the first borrowing the scale and currency of the second. Values are converted to tenge with the
bundled National Bank table (rates.py) at the article's date; absurd values (above MAX_KZT) are dropped, so
garbage such as "999999999999999999999 тенге" gives nothing rather than an overflow.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from index.models import Amount

from .rates import to_kzt

MAX_KZT = 1e15  # larger than Kazakhstan's GDP a hundred times over: a parsing accident, not an amount
MAX_MATCHES = 2000

_SCALE = {
    "тыс": 1e3, "тысяч": 1e3, "мың": 1e3, "мын": 1e3, "thousand": 1e3, "k": 1e3,
    "млн": 1e6, "миллион": 1e6, "million": 1e6, "mln": 1e6, "m": 1e6,
    "млрд": 1e9, "миллиард": 1e9, "billion": 1e9, "bn": 1e9, "mlrd": 1e9,
    "трлн": 1e12, "триллион": 1e12, "trillion": 1e12, "trln": 1e12,
}  # fmt: skip

# Scale words with their common misspellings: миллард, милиард, миллиярд; милион, миллиан; трилион.
_MILLION = r"мил+и?[оа]н"
_BILLION = r"мил+и?я?а?рд"
_TRILLION = r"трил+и?о?н"
_SCALE_RE = (
    r"(?:тыс(?:яч\w*|\.)?|мың\w*|мын\w*|млн\.?|"
    + _MILLION
    + r"\w*|млрд\.?|"
    + _BILLION
    + r"\w*|трлн\.?|"
    + _TRILLION
    + r"\w*|thousand|million|mln|billion|bn|trillion)"
)
_SCALE_STEMS = tuple((re.compile(stem), value) for stem, value in ((_BILLION, 1e9), (_MILLION, 1e6), (_TRILLION, 1e12)))
_KZ_END = r"\w*"
_CUR_WORD_RE = (
    r"(?P<cur>"
    r"(?:тенге|теңге|tenge|teңge|тиын|tiyn|tıyn)" + _KZ_END + r"|тг\.?(?!\w)|₸|KZT"
    r"|(?:(?:АҚШ|US|США)\s+)?(?:доллар\w*|долл\.?|дол\.(?!\w))(?:\s+(?:США|АҚШ))?|dollars?|USD|US\$"
    r"|(?:евро|еуро|euros?)" + _KZ_END + r"|EUR"
    r"|(?:российских\s+|ресей\s+)?(?:рубл\w*|руб\.(?!\w))|RUB"
    r"|(?:китайских\s+|қытай\s+)?(?:юан\w*|yuan)|CNY|RMB"
    r")"
)
_CUR_SYM_RE = r"(?P<sym>[$€₽₸¥])"
# Digits: 1 700 000 | 1700000 | 300,7 | 1.5 | 1.700.000
_NUM_RE = (
    r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f\u2009](?=\d{3}(?!\d))\d{3})+|\d{1,3}(?:\.\d{3}){2,}|\d+)"
    r"(?:[.,]\d+)?(?![\w])"
)
_NUM_WORDS = {
    # Russian
    "ноль": 0, "один": 1, "одна": 1, "одного": 1, "одной": 1, "одну": 1, "два": 2, "две": 2, "двух": 2,
    "три": 3, "трех": 3, "трёх": 3, "четыре": 4, "четырех": 4, "четырёх": 4, "пять": 5, "пяти": 5,
    "шесть": 6, "шести": 6, "семь": 7, "семи": 7, "восемь": 8, "восьми": 8, "девять": 9, "девяти": 9,
    "десять": 10, "десяти": 10, "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14,
    "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19,
    "двадцать": 20, "двадцати": 20, "тридцать": 30, "тридцати": 30, "сорок": 40, "сорока": 40,
    "пятьдесят": 50, "пятидесяти": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80, "девяносто": 90,
    "сто": 100, "ста": 100, "двести": 200, "двухсот": 200, "триста": 300, "трехсот": 300, "четыреста": 400,
    "пятьсот": 500, "пятисот": 500, "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
    "полтора": 1.5, "полторы": 1.5, "полутора": 1.5,
    # Kazakh
    "бір": 1, "екі": 2, "үш": 3, "төрт": 4, "бес": 5, "алты": 6, "жеті": 7, "сегіз": 8, "тоғыз": 9, "он": 10,
    "жиырма": 20, "отыз": 30, "қырық": 40, "елу": 50, "алпыс": 60, "жетпіс": 70, "сексен": 80, "тоқсан": 90,
    "жарым": 0.5,
}  # fmt: skip
_HUNDRED = {"жүз"}
_WORD_SCALE = {
    "тысяч": 1e3,
    "тысяча": 1e3,
    "тысячи": 1e3,
    "мың": 1e3,
    "миллион": 1e6,
    "миллиард": 1e9,
    "триллион": 1e12,
}


_WORD_SCALE_STEMS = ("тысяч", "мың", "миллион", "миллиард", "триллион")
# A currency word on its own, for amounts written in words: the number words before it are read in Python.
_CURRENCY_WORD_RE = re.compile(r"(?<!\w)" + _CUR_WORD_RE, re.IGNORECASE)


_VAGUE = frozenset(
    {"тысячи", "тысяч", "тысячами", "миллионы", "миллионов", "миллионами", "миллиарды", "миллиардов", "миллиардами",
     "триллионы", "триллионов", "мыңдаған", "миллиондаған", "миллиардтаған"}
)  # fmt: skip


def _number_word(word: str) -> bool:
    return word in _NUM_WORDS or word in _HUNDRED or word.startswith(_WORD_SCALE_STEMS)


# "3, 5 миллиард": a decimal comma with a space after it (transcripts, hurried typing). The expression reads "5
# миллиард"; the "3, " before it is found after the match, before a one- or two-digit number with a scale word or a
# one-digit number with its currency, and joined to it.
_SPACED_BEFORE = re.compile(r"(?<![\w.,])(\d{1,3}),\s$")
_SPACED_AFTER = re.compile(r"(\d{1,2})(?:\s*" + _SCALE_RE + r")?$", re.IGNORECASE)
_DIGITS_GROUP = r"(?:" + _NUM_RE + r")\s*(?:" + _SCALE_RE + r")?"
_COMPOUND = _DIGITS_GROUP + r"(?:\s+" + _NUM_RE + r"\s*" + _SCALE_RE + r")*"

AMOUNT_RE = re.compile(
    r"(?:(?P<range_lo>"
    + _NUM_RE
    + r")\s*(?P<range_lo_scale>"
    + _SCALE_RE
    + r")?(?:\s*(?:-|–|—)\s*|\s+(?:до|и|мен|пен|бен|және|to)\s+|(?P<abl>-(?:нан|нен|дан|ден|тан|тен))\s+))?"
    r"(?:" + _CUR_SYM_RE + r"\s?)?"
    r"(?P<num>" + _COMPOUND + r")"
    r"\s*(?:" + _CUR_WORD_RE + r"|(?P<sym2>[$€₽₸])(?!\w))?",
    re.IGNORECASE,
)
_SCALE_SPLIT = re.compile(r"(" + _NUM_RE + r")\s*(" + _SCALE_RE + r")?", re.IGNORECASE)


def _subunit(word: str) -> float:
    """1/100 for the tiyn, the tenge's hundredth; 1 for a currency's main unit."""
    return 0.01 if word.lower().startswith(("тиын", "tiyn", "tıyn")) else 1.0


def _currency(word: str) -> str | None:
    w = word.lower()
    if w.startswith(("тиын", "tiyn", "tıyn")):
        return "KZT"
    if w in ("$", "usd", "us$") or "доллар" in w or "долл" in w or w.startswith("dollar") or w.startswith("дол."):
        return "USD"
    if w in ("€", "eur") or w.startswith(("евро", "еуро", "euro")):
        return "EUR"
    if w in ("₽", "rub") or "рубл" in w or "руб." in w:
        return "RUB"
    if w in ("¥", "cny", "rmb") or "юан" in w or "yuan" in w:
        return "CNY"
    if w in ("₸", "kzt", "тг", "тг.") or w.startswith(("тенге", "теңге", "tenge")):
        return "KZT"
    return None


def _scale(word: str | None) -> float:
    if not word:
        return 1.0
    w = word.lower().rstrip(".")
    for pattern, scale in _SCALE_STEMS:
        if pattern.match(w):
            return scale
    for stem, value in sorted(_SCALE.items(), key=lambda kv: -len(kv[0])):
        if w.startswith(stem) and (stem not in ("k", "m") or w == stem):
            return value
    return 1.0


def _number(digits: str, has_scale: bool) -> float | None:
    d = digits.replace("\u00a0", "").replace("\u202f", "").replace("\u2009", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3}){2,}", d):
        d = d.replace(".", "")
    elif not has_scale and re.fullmatch(r"\d{1,3}[.,]\d{3}", d):
        d = d.replace(",", "").replace(".", "")  # "1,500 тенге": thousands, not one and a half tenge
    d = d.replace(",", ".")
    if len(d) > 19:
        return None
    try:
        value = float(d)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _words_value(text: str) -> float | None:
    total = 0.0
    current = 0.0
    seen = False
    for word in text.lower().split():
        if word in _NUM_WORDS:
            current += _NUM_WORDS[word]
            seen = True
        elif word in _HUNDRED:
            current = (current or 1) * 100
            seen = True
        else:
            scale = next((v for k, v in _WORD_SCALE.items() if word.startswith(k[:6])), None)
            if scale is None:
                return None
            total += (current or 1) * scale
            current = 0.0
            seen = True
    return total + current if seen else None


def _digits_value(text: str) -> float | None:
    total = 0.0
    found = False
    for m in _SCALE_SPLIT.finditer(text):
        value = _number(m.group(1), bool(m.group(2)))
        if value is None:
            return None
        total += value * _scale(m.group(2))
        found = True
    return total if found else None


# A cheap first pass: the full expression only runs on windows that end in a currency word or symbol, found
# with plain substring search on the lower-cased text (much faster than a case-insensitive alternation).
_CURRENCY_HINTS = (
    "тенге", "теңге", "тиын", "tiyn", "tıyn", "тг", "₸", "kzt", "доллар", "дол", "$", "usd", "евро", "еуро", "€",
    "eur", "рубл", "руб", "₽", "rub", "юан", "cny", "rmb", "dollar", "euro", "yuan", "tenge",
)  # fmt: skip
_WINDOW = 200  # characters before a currency word where its number may start ("он миллиард үш жүз миллион")
_NUMBER_CHARS = frozenset("0123456789 \u00a0\u202f\u2009.,")


def _windows(text: str) -> list[tuple[int, int]]:
    low = text.lower()
    hits: list[int] = []
    for hint in _CURRENCY_HINTS:
        at = low.find(hint)
        while at >= 0 and len(hits) <= MAX_MATCHES:
            hits.append(at)
            at = low.find(hint, at + len(hint))
    spans: list[tuple[int, int]] = []
    for at in sorted(set(hits)):
        start, end = max(0, at - _WINDOW), min(len(text), at + 40)
        while start > 0 and text[start - 1] in _NUMBER_CHARS:
            start -= 1  # never start inside a number: "1 700 000" must not be read from "700 000"
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


# --- Kazakh numbers in words ---------------------------------------------------------------------------------
# A Kazakh number is read whole or not at all: "жүз жетпіс жеті бүтін оннан алты миллиард" is 177.6e9, and a reader
# that stopped at "алты миллиард" would file the story thirty times too low. Each word is classified once (kind,
# value, case ending); the run of them before a currency word is parsed with the grammar of Kazakh numerals
# (hundreds, tens, units in that order, then a scale, scales falling; decimals with "бүтін оннан/жүзден/мыңнан" or
# "да"; "жарым" and "ширек"; ranges with "-", "пен" or an ablative "-нан ... дейін"), and a run off that grammar
# gives no amount.
_KK_WORDS: dict[str, tuple[str, float]] = {
    "бір": ("unit", 1), "екі": ("unit", 2), "үш": ("unit", 3), "төрт": ("unit", 4), "бес": ("unit", 5),
    "алты": ("unit", 6), "жеті": ("unit", 7), "сегіз": ("unit", 8), "тоғыз": ("unit", 9),
    "он": ("ten", 10), "жиырма": ("ten", 20), "отыз": ("ten", 30), "қырық": ("ten", 40), "елу": ("ten", 50),
    "алпыс": ("ten", 60), "жетпіс": ("ten", 70), "сексен": ("ten", 80), "тоқсан": ("ten", 90),
    "жүз": ("hundred", 100), "мың": ("scale", 1e3),
}  # fmt: skip
_ABLATIVE = frozenset({"нан", "нен", "дан", "ден", "тан", "тен"})
_VAGUE_ENDINGS = frozenset({"даған", "деген", "таған", "теген", "лаған", "леген"})  # "tens of", "billions of"
# Endings the last number word before the currency may carry: ablative ("миллиардтан астам"), dative
# ("миллиардқа жуық"), "-дай" (about), besides the vague "-даған". Never the locative, genitive or accusative:
# "онда" (there), "оны" (it) and "үшін" (for) are other words.
_FINAL_ENDINGS = _ABLATIVE | _VAGUE_ENDINGS | {"", "ға", "ге", "қа", "ке", "дай", "дей", "тай", "тей", "ндай", "ндей"}
_INNER_ENDINGS = _ABLATIVE | _VAGUE_ENDINGS | {""}
_NOT_NUMBERS = frozenset({"бірге", "бірден", "бірде", "бірдей", "онша"})  # together, at once, sometimes, alike
_KK_PARTICLES = {
    "бүтін": "point", "жарым": "half", "жарты": "half", "ширек": "quarter",
    "да": "and", "де": "and", "та": "and", "те": "and",
    "пен": "range", "мен": "range", "бен": "range", "-": "range", "–": "range", "—": "range",
}  # fmt: skip
# Between a number and its currency: "бес миллиардтан астам теңге", "екі миллиардқа жуық теңге"
_KK_MODIFIERS = frozenset({"астам", "жуық", "тарта", "артық", "аса", "шамасында", "шамасы", "шақты", "дейін"})
# A quantifier before the number makes it vague: "бірнеше миллиард теңге" is no amount, not a billion.
_QUANTIFIERS = frozenset({"бірнеше", "несколько", "сотни", "десятки", "бірер", "қаншама", "талай"})
_DENOMINATORS = {10.0: 10.0, 100.0: 100.0, 1e3: 1e3}  # "бүтін оннан", "бүтін жүзден", "бүтін мыңнан"
_KK_TOKEN_RE = re.compile(r"[^\W\d_]+|[-–—]")
_LAST_WORD_RE = re.compile(r"([^\W\d_]+|[-–—])\s*$")


@lru_cache(maxsize=8192)
def _kk_word(word: str) -> tuple[str, float, str] | None:
    """(kind, value, ending) of a Kazakh number word or particle in any case form: "оннан" -> ("ten", 10, "нан"),
    "миллиардтаған" -> ("scale", 1e9, "таған"), "бүтін" -> ("point", 0, ""); None for any other word (ordinals
    such as "бесінші" included)."""
    w = word.lower().replace("i", "і")
    if w in _KK_PARTICLES:
        return _KK_PARTICLES[w], 0.0, ""
    if w in _NOT_NUMBERS:
        return None
    for pattern, scale in _SCALE_STEMS:
        m = pattern.match(w)
        if m and w[m.end() :] in _FINAL_ENDINGS:
            return "scale", scale, w[m.end() :]
    for cut in range(min(len(w), 6), 1, -1):
        base = _KK_WORDS.get(w[:cut])
        if base is not None and w[cut:] in _FINAL_ENDINGS:
            return base[0], base[1], w[cut:]
    return None


def _kk_group_end(words: list[tuple[str, float, str]], i: int) -> tuple[float, int] | None:
    """The value of the units, tens and hundreds starting at `i` ("жүз жетпіс жеті" -> 177) and where they end."""
    hundreds = tens = units = 0.0
    j = i
    while j < len(words):
        kind, value, _end = words[j]
        if kind == "unit":
            if units:
                return None
            units = value
        elif kind == "ten":
            if tens or units:
                return None
            tens = value
        elif kind == "hundred":
            if hundreds or tens:
                return None
            hundreds, units = (units or 1.0) * value, 0.0
        else:
            break
        j += 1
    if j == i:
        return None
    return hundreds + tens + units, j


def _kk_value(words: list[tuple[str, float, str]]) -> float | None:
    """The value of one number (no range) in classified words, or None when they are not one whole number."""
    total = 0.0
    last_scale = math.inf
    i = 0
    n = len(words)
    while i < n:
        group = 0.0
        kind = words[i][0]
        if kind in ("unit", "ten", "hundred"):
            read = _kk_group_end(words, i)
            if read is None:
                return None
            group, i = read
            if i < n and words[i][0] == "point":  # бүтін [оннан|жүзден|мыңнан] fraction
                i += 1
                denominator = 0.0
                if i < n and words[i][2] in _ABLATIVE and words[i][1] in _DENOMINATORS:
                    denominator = words[i][1]
                    i += 1
                frac = _kk_group_end(words, i)
                if frac is None:
                    return None
                fraction, i = frac
                if not denominator:
                    denominator = 10.0 ** len(str(int(fraction)))
                if fraction >= denominator:
                    return None
                group += fraction / denominator
            elif i < n and words[i][0] == "and":  # "он алты да тоғыз миллиард": 16.9 billion
                if not (i + 2 < n and words[i + 1][0] == "unit" and words[i + 2][0] == "scale"):
                    return None
                group += words[i + 1][1] / 10
                i += 2
            elif i < n and words[i][0] == "half":  # "үш жарым миллион"
                group += 0.5
                i += 1
        elif kind == "half":  # "жарты миллиард", "жарым миллион"
            group = 0.5
            i += 1
        elif kind == "quarter":  # "ширек миллион"
            if total:
                return None
            group = 0.25
            i += 1
        elif kind == "scale":
            group = 1.0  # "миллиард теңге", "миллион жарым"
        else:
            return None
        if i < n and words[i][0] == "scale":
            scale = words[i][1]
            if scale >= last_scale:
                return None
            i += 1
            if i < n and words[i][0] == "half" and (i + 1 == n or words[i + 1][0] != "scale"):
                group += 0.5  # "екі миллион жарым"
                i += 1
            total += group * scale
            last_scale = scale
        else:
            if i < n:
                return None  # words after the units: not one number
            total += group
    return float(f"{total:.12g}") or None  # 16.9e9, not 16899999999.999998


def _kk_run(text: str, end: int, floor: int) -> tuple[int, list[tuple[str, float, str]], str] | None:
    """The run of Kazakh number words and particles that ends at `end` (the currency word's start), read back to
    `floor` at most: (its start, the classified words in text order, the modifier word between it and the currency
    or ""); None when there is no number word."""
    last = _LAST_WORD_RE.search(text, max(floor, end - 40), end)
    if last is None or (_kk_word(last.group(1)) is None and last.group(1).lower() not in _KK_MODIFIERS):
        return None  # most currency words follow digits or other words: no need to read further back
    tokens = [(m.start() + floor, m.end(), m.group()) for m in _KK_TOKEN_RE.finditer(text[floor:end])]
    modifier = ""
    pos = end
    run: list[tuple[int, tuple[str, float, str]]] = []
    for t_start, t_end_rel, word in reversed(tokens):
        if text[floor + t_end_rel : pos].strip():
            break  # punctuation or digits between: the run is over
        low = word.lower()
        if not run and not modifier and low in _KK_MODIFIERS:
            modifier, pos = low, t_start
            continue
        info = _kk_word(word)
        if info is None or (run and info[2] not in _INNER_ENDINGS):
            break  # "онда", "үшке" before a number word: another word, not part of this number
        run.append((t_start, info))
        pos = t_start
    while run and run[-1][1][0] in ("range", "and", "point"):
        run.pop()  # a particle at the run's start belongs to the words before it
    if not any(info[0] in ("unit", "ten", "hundred", "scale", "half", "quarter") for _s, info in run):
        return None
    run.reverse()
    before = text[max(floor, run[0][0] - 12) : run[0][0]].split()
    if before and before[-1].lower() in _QUANTIFIERS:
        return run[0][0], [], modifier  # "бірнеше миллиард теңге": several billion, no amount
    return run[0][0], [info for _s, info in run], modifier


def _words_head(text: str, start: int, scale: float) -> tuple[int, float] | None:
    """The number words that end in a scale right before digits ("екі миллиард | 300 миллион теңге"): (their start,
    value) to add to the digits; (start, 0) when there are none; None when there are number words that do not read
    as the head of this number (a larger scale, then the digits), which makes the whole amount unreadable."""
    run = _kk_run(text, start, max(0, start - _WINDOW))
    if run is None or not run[1] or run[2]:
        return start, 0.0
    words = run[1]
    if words[-1][0] != "scale" or words[-1][2]:
        return start, 0.0  # "2023 жылы", "бес адамға 300 теңге": no scale word right before, not one number
    value = _kk_value(words)
    if value is None or words[-1][1] <= scale:
        return None
    return run[0], value


def _kk_amounts(words: list[tuple[str, float, str]], after: str) -> list[float] | None:
    """Values of a run of Kazakh number words: one, or both ends of a range ("он-он бес мың" -> 1e4, 1.5e4;
    "сексеннен екі жүз теңгеге дейін" -> 80, 200); None when the run is not whole numbers."""
    parts: list[list[tuple[str, float, str]]] = [[]]
    ablative_range = False
    for k, word in enumerate(words):
        if word[0] == "range":
            parts.append([])
            continue
        parts[-1].append(word)
        is_denominator = k > 0 and words[k - 1][0] == "point"
        if word[2] in _ABLATIVE and k < len(words) - 1 and not is_denominator:
            parts.append([])  # "сексеннен | екі жүз теңгеге дейін"
            ablative_range = True
    if len(parts) > 2 or any(not p for p in parts):
        return None
    values: list[float] = []
    for part in parts:
        value = _kk_value(part)
        if value is None:
            return None
        values.append(value)
    if len(values) == 2:
        lo, hi = values
        last = parts[1][-1]
        if parts[0][-1][0] != "scale" and last[0] == "scale" and lo * last[1] < hi:
            lo *= last[1]  # "он-он бес мың": the first end borrows the second's scale
        if ablative_range and not after.startswith("дейін"):
            return [hi]  # "-нан" without "дейін": "from 53 530 to 66 913 tenge", whose first is no sure amount
        values = [lo, hi]
    return values


def _words_before(text: str, pos: int) -> int:
    """Start of the run of Russian number words that ends right before `pos` (`pos` itself when there is none)."""
    start = pos
    for _ in range(16):
        j = start
        while j > 0 and text[j - 1] in " \u00a0\t":
            j -= 1
        if j == start:
            break  # number words and the currency are separate words
        k = j
        while k > 0 and text[k - 1].isalpha():
            k -= 1
        if k == j or not _number_word(text[k:j].lower()):
            break
        start = k
    return start


def _word_amounts(text: str, windows: list[tuple[int, int]], taken: set[int], published: str | None) -> list[Amount]:
    """Amounts written in words ("үш жарым миллион теңге", "пять миллиардов тенге")."""
    out: list[Amount] = []
    for win_start, win_end in windows:
        for m in _CURRENCY_WORD_RE.finditer(text, win_start, win_end):
            if m.end("cur") in taken:
                continue  # the currency of an amount in digits ("5 миллион теңге")
            currency = _currency(m.group("cur"))
            if currency is None:
                continue
            unit = _subunit(m.group("cur"))
            run = _kk_run(text, m.start(), max(0, m.start() - _WINDOW))
            if run is not None:
                start, words, _modifier = run
                before = text[max(0, start - 3) : start].rstrip(" \u00a0")
                if before[-1:].isdigit():
                    continue  # "5 миллион": digits read by the main expression
                after = text[m.end("cur") : m.end("cur") + 12].lstrip().lower()
                values = _kk_amounts(words, after) if words else None
                for value in values or []:
                    if value > 0:
                        _append(out, value * unit, currency, text, start, m.end("cur"), published)
                continue
            start = _words_before(text, m.start())
            if start == m.start():
                continue
            words_ru = text[start : m.start()].split()
            if len(words_ru) == 1 and words_ru[0].lower() in _VAGUE:
                continue  # "миллионы тенге", "сотни миллионов долларов": no number given
            before = text[max(0, start - 3) : start].rstrip(" \u00a0")
            if before[-1:].isdigit():
                continue
            ru_value = _words_value(text[start : m.start()])
            if ru_value is not None and ru_value > 0:
                _append(out, ru_value * unit, currency, text, start, m.end("cur"), published)
    return out


# A scaled number without a currency ("из них 12 млрд выделит бюджет") right after an amount with one, in the
# same sentence, is money in that currency unless a unit follows it ("12 млрд кубометров").
_BARE_RE = re.compile(
    r"(?P<num>" + _NUM_RE + r")\s*(?P<scale>млн\.?|млрд\.?|трлн\.?|миллион\w*|миллиард\w*|триллион\w*)"
)
_UNIT_AFTER = re.compile(
    r"\s*(?:тонн|т\b|куб|кубометр|текше|баррел|человек|адам|литр|кВт|МВт|гектар|га\b|км|шақырым|пассажир|"
    r"жолаушы|бас\b|дана|штук|метр|доз|раз|есе|пайыз|процент|%|жыл|год|"
    r"сум\b|сом\b|риал|рупи|вон\b|лир|манат|фунт|иен|йен|франк|крон|злот|драм|лари)",
    re.IGNORECASE,
)
_INHERIT_REACH = 80


def _inherited(text: str, found: list[Amount], published: str | None) -> list[Amount]:
    out: list[Amount] = []
    for prev in found:
        tail_end = min(len(text), prev.end + _INHERIT_REACH)
        for m in _BARE_RE.finditer(text, prev.end, tail_end):
            between = text[prev.end : m.start()]
            if re.search(r"[.!?]\s+[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]|[;\n]", between):
                break  # another sentence
            if any(a.start <= m.start() < a.end for a in found + out) or _UNIT_AFTER.match(text, m.end()):
                continue
            value = _number(m.group("num"), True)
            if value is not None and value > 0:
                _append(out, value * _scale(m.group("scale")), prev.currency, text, m.start(), m.end(), published)
    return out


# A transcription mark inside an amount: "Төрт жарым миллиондай (і) теңге", "қырық алты миллиард (теңгенің)
# теңгейді". One or two short words in brackets with a word right after them are read as spaces.
_MARK_RE = re.compile(r"\(\s*[^\W\d_]{1,12}(?:\s+[^\W\d_]{1,12})?\s*\)(?=\s+[^\W\d_])")


def find_amounts(text: str, published: str | None = None) -> list[Amount]:
    """Every monetary amount in `text`, in order, with spans into it."""
    if "(" not in text:
        return _find_amounts(text, published)
    written = text
    text = _MARK_RE.sub(lambda m: " " * len(m.group()), text)
    out = _find_amounts(text, published)
    for amount in out:
        amount.text = written[amount.start : amount.end]
    return out


def _find_amounts(text: str, published: str | None) -> list[Amount]:
    out: list[Amount] = []
    windows = _windows(text)
    taken: set[int] = set()
    matches = (m for start, end in windows for m in AMOUNT_RE.finditer(text, start, end))
    for count, m in enumerate(matches):
        if count >= MAX_MATCHES:
            break
        cur_text = m.group("cur") or m.group("sym") or m.group("sym2")
        if not cur_text:
            continue
        currency = _currency(cur_text)
        if currency is None:
            continue
        num = m.group("num").strip()
        if not num:
            continue
        spaced = None
        if num[0].isdigit() and not m.group("range_lo") and text[m.start("num") - 2 : m.start("num") - 1] == ",":
            spaced = _SPACED_BEFORE.search(text, max(0, m.start("num") - 6), m.start("num"))
            after = _SPACED_AFTER.match(num)
            if spaced and after and (len(num) > len(after.group(1)) or len(num) == 1):  # a scale, or one digit
                num = f"{spaced.group(1)},{num}"  # "3, 5 миллиард" -> "3,5 миллиард"
            else:
                spaced = None
        is_words = not any(ch.isdigit() for ch in num)
        value = _words_value(num) if is_words else _digits_value(num)
        if value is None or value <= 0:
            continue
        value *= _subunit(cur_text)
        scale_word = None
        sm = list(_SCALE_SPLIT.finditer(num))
        if sm and not is_words:
            scale_word = sm[-1].group(2)
        start = spaced.start(1) if spaced else m.start("num")
        if m.group("sym") and m.start("sym") < start:
            start = m.start("sym")
        if not m.group("range_lo") and not m.group("sym"):
            head = _words_head(text, start, _scale(scale_word))
            if head is None:
                continue  # "бес миллион 5 млрд теңге": words before the digits that do not make one number with them
            if head[1]:
                start, value = head[0], value + head[1] * _subunit(cur_text)  # "екі миллиард 300 миллион теңге"
        end = m.end("cur") if m.group("cur") else (m.end("sym2") if m.group("sym2") else m.end("num"))
        if m.group("abl") and not text[end : end + 12].lstrip().lower().startswith("дейін"):
            pass  # "80-нен 200 теңгеге": a range only with "дейін" after it; else the second number alone
        elif m.group("range_lo"):
            lo = _number(m.group("range_lo"), True)
            lo_scale = _scale(m.group("range_lo_scale")) if m.group("range_lo_scale") else _scale(scale_word)
            # both ends carry the whole range as their text (the demo content's convention)
            start = m.start("range_lo")
            if lo is not None and lo > 0:
                _append(out, lo * lo_scale * _subunit(cur_text), currency, text, start, end, published)
        _append(out, value, currency, text, start, end, published)
        taken.add(end)
    if out or windows:
        words = _word_amounts(text, windows, taken, published)
        if words:
            out = sorted(out + words, key=lambda a: a.start)
    if out:
        more = _inherited(text, out, published)
        if more:
            out = sorted(out + more, key=lambda a: a.start)
    return out


def _append(out: list[Amount], value: float, currency: str, text: str, start: int, end: int, pub: str | None) -> None:
    kzt = to_kzt(value, currency, pub)
    if kzt is not None and kzt > MAX_KZT:
        return
    if kzt is None and value > MAX_KZT:
        return
    value = round(value, 6)
    if value == int(value):
        value = float(int(value))
    span = text[start:end].rstrip(" \u00a0")
    out.append(Amount(value=value, currency=currency, kzt=kzt, text=span, start=start, end=start + len(span)))
