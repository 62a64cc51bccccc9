"""Language identification of article text and of each paragraph: "kk", "ru", "en" or "" (unknown).

Extraction calls it per paragraph and per article; the index routes each paragraph to its analyzer by the
answer. langdetect has no Kazakh profile (it calls Kazakh Russian or Macedonian), so the statistical part
is py3langid's naive Bayes model, which has Kazakh, restricted to the languages that can appear here (kk,
ru, uz, ky, tt, en). Before the model comes the cheap, strong evidence of letters: ә ұ і ң ө ү һ are
Kazakh (ғ and қ are shared with Uzbek), ў and ҳ are Uzbek, Latin-script Kazakh has ı á ǵ ń ó ú ý (2018)
or ä ğ ñ ö ş ū ü (2021); long Russian paragraphs without any of these are recognised by their function
words. Most paragraphs never reach the model, and answers are memoised. Uzbek, Kyrgyz, Tatar and other
languages answer "": the product knows kk, ru and en only. `bench/eval_langid.py` measures it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

LANGS = ("kk", "ru", "en")
# What the model chooses among. Uzbek, Kyrgyz and Tatar are here so that their text is not forced into
# kk or ru; they come out as "" (unknown).
_MODEL_LANGS = ["kk", "ru", "uz", "ky", "tt", "en"]

# Kyrgyz and Tatar answers of the model, on text with no letter that rules Kazakh out, are Kazakh written
# without its own letters (the model knows those three close relatives less well than it knows Kazakh).
_MODEL_MAP = {"kk": "kk", "ru": "ru", "en": "en", "ky": "kk", "tt": "kk"}

_CYR_WORD = re.compile(r"[\u0400-\u04ff]+")
_LAT_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_MIXED = re.compile(r"[\u0400-\u04ff][a-z]|[a-z][\u0400-\u04ff]")  # a Latin letter touching a Cyrillic one
# Letters of Kazakh Cyrillic that Russian lacks and Uzbek lacks too (ғ, қ are Uzbek as well).
_KK_STRICT = re.compile(r"[әұіңөүһӘҰІҢӨҮҺ]")
_KK_LETTERS = "әұіңөүһ"
_SHARED_LETTERS = "ғқ"  # Kazakh and Uzbek
# Letters that rule Kazakh out: Uzbek (ў ҳ), Ukrainian and Belarusian (ї є ґ ў), Tatar and Bashkir (җ ҙ ҫ ҡ),
# Tajik (ӣ ӯ ҷ). (Kyrgyz has only ө ү ң, which Kazakh shares.)
_NOT_KK_LETTERS = "ўҳїєґҗҙҫҡӣӯҷ"
# One match per word that holds the letter: from its first such letter to the end of the word.
_KK_STRICT_WORD = re.compile(f"[{_KK_LETTERS}][\u0400-\u04ff]*")
_KK_SHARED_WORD = re.compile(f"[{_SHARED_LETTERS}][\u0400-\u04ff]*")  # words with ғ or қ (other Kazakh ones too)
_NOT_KK_WORD = re.compile(f"[{_NOT_KK_LETTERS}][\u0400-\u04ff]*")
_MARKED = re.compile(f"[{_KK_LETTERS}{_SHARED_LETTERS}{_NOT_KK_LETTERS}]")  # where any of those three can match
# Latin Kazakh: 2018 acute alphabet and 2021 alphabet letters. Dotless ı is the commonest of them.
_KK_LATIN = re.compile(r"[ıáǵńóúýäğñöşūüİÁǴŃÓÚÝÄĞÑÖŞŪÜ]")


# Kazakh typed in plain ASCII: q without u, and common endings of Kazakh words.
_ASCII_KAZAKH = re.compile(r"q(?!u)|(?:dyn|nyn|nyń|tyn|ǵa|ge|daǵy|dagy|lar|ler|shy|ty|dy)$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_RU_WORDS = _words(
    "и в во на что с со по к о об от из за для это как а но до при же или был была были было его её их "
    "также который которая которые которых этого этом она они мы вы уже еще ещё только году года лет "
    "более будет может быть так то все всех между после через под над без"
)
_UZ_WORDS = _words(
    "ва билан учун яхши жуда жудаям бўйича ҳам эди этди бу шу қилиш қилди қилинди мазкур бўлган бўлиб "
    "керак ҳақида орқали кўра эса янги вилоят вилояти ҳокими туман тумани йил йили йилда бўлади эмас "
    "қилинган ўз ўтган"
)
_KK_WORDS = _words(
    "және мен бен пен бұл осы үшін бойынша деп жыл жылы жылғы бар жоқ екен болды болады туралы арқылы "
    "кейін дейін бір екі оның олар біз сіз ол да де та те ма ме ба бе па пе жаңа облысы ауданы қаласы"
)
# Kazakh words written in plain Latin letters (no letter of either alphabet gives them away).
_KK_LATIN_WORDS = _words(
    "men pen ben jane bul osy bar jok joq jyl jyly edi emes ushin boiynsha degen dep dedi keledi ol olar "
    "biz siz sizder bizder ata jer ony ogan qala qalasy oblysy audany jasta eken"
)
EN_WORDS = _words(
    "the of and to in is for on that with by as at from this are was be it an or have has will its which "
    "their been were not but they"
)

_MODEL_CHARS = 2000  # the model reads at most this much of a text: enough to be sure, cheap on 5 MB input
_EVIDENCE_CHARS = 1500  # letter and word counting reads at most this much


class _Model:
    """py3langid's model, loaded once on first use (loading takes a moment), restricted to our languages."""

    _lock = threading.Lock()
    _identifier: Any = None

    @classmethod
    def get(cls) -> Any:
        if cls._identifier is None:
            with cls._lock:
                if cls._identifier is None:
                    import py3langid.langid as pl

                    full = pl.LanguageIdentifier.from_modelpath(pl.MODEL_DIR / pl.MODEL_FILE, norm_probs=True)
                    full.set_languages(_MODEL_LANGS)
                    # A model of our languages only: the restricted one keeps the full weights (28 MB, for a
                    # later set_languages), which every process that extracts would carry for nothing.
                    cls._identifier = pl.LanguageIdentifier(
                        full.nb_ptc,
                        full.nb_pc,
                        full.nb_classes,
                        full.tk_nextmove,
                        full.tk_output,
                        norm_probs=True,
                        tk_row=full.tk_row,
                    )
        return cls._identifier


def _model(text: str, *, ours_only: bool = False) -> str:
    """The model's answer; with `ours_only`, the best of kk, ru and en even when another language leads
    (for one or two words, where "Uzbek" or "Tatar" is a guess from a handful of letter n-grams)."""
    ident = _Model.get()
    sample = text[:_MODEL_CHARS]
    if ours_only:
        for lang, _score in ident.rank(sample):
            if lang in LANGS:
                return str(lang)
        return ""
    lang, _conf = ident.classify(sample)
    return _MODEL_MAP.get(lang, "")


# Counting loops in C (map over a bound method) rather than a generator per word: these run per paragraph.
def _count_in(vocabulary: frozenset[str], words: list[str]) -> int:
    """How many of `words` (with repeats) are in `vocabulary`."""
    return sum(map(vocabulary.__contains__, words))


def _count_matching(pattern: re.Pattern[str], words: list[str]) -> int:
    """How many of `words` `pattern` finds something in."""
    return len(words) - list(map(pattern.search, words)).count(None)


def _cyrillic(text: str, words: list[str]) -> str:
    """`text` lower-cased, `words` its Cyrillic words."""
    if not words:
        return ""
    n = len(words)
    # One regex pass over the text per letter class (in C), not a test per word: this runs per paragraph.
    # Most paragraphs (Russian ones) have none of the letters counted below: one pass tells, not three.
    if _MARKED.search(text) is None:
        kk_strict = not_kk = shared = 0
    else:
        kk_strict = len(_KK_STRICT_WORD.findall(text))
        not_kk = len(_NOT_KK_WORD.findall(text))
        shared = len(_KK_SHARED_WORD.findall(text))
    uz_words = _count_in(_UZ_WORDS, words)
    kk_words = _count_in(_KK_WORDS, words)
    uz_score = not_kk + uz_words
    kk_score = kk_strict + kk_words + 0.5 * shared
    if uz_score >= 2 and uz_score > kk_score:
        return ""  # Uzbek (or Tajik, Ukrainian...): not one of ours
    if not_kk == 0 and kk_strict >= 1 and kk_score >= 0.25 * n:
        return "kk"
    if not_kk == 0 and kk_words == 0 and kk_strict + shared < 0.2 * n and n >= 6:
        # These Russian function words do not occur in Kazakh ("он" and "не" do, so they are not listed);
        # a Kazakh name or hashtag may occur in Russian.
        ru = _count_in(_RU_WORDS, words)
        if ru >= 0.12 * n:
            return "ru"
    return _model(text, ours_only=n <= 2 and uz_score == 0)


def _latin(text: str, words: list[str]) -> str:
    """`text` lower-cased, `words` its Latin words."""
    if not words:
        return ""
    n = len(words)
    kk_letters = _count_matching(_KK_LATIN, words)
    en = _count_in(EN_WORDS, words)
    if kk_letters >= 1 and kk_letters >= 0.1 * n and kk_letters >= en:
        return "kk"
    kk_words = _count_in(_KK_LATIN_WORDS, words)
    if kk_letters + kk_words >= max(1, 0.2 * n) and kk_letters + kk_words > en:
        return "kk"
    if en >= 0.1 * n and en >= 1:
        return "en"
    qaz = _count_matching(_ASCII_KAZAKH, words)
    if qaz >= max(1, 0.3 * n):
        return "kk"
    lang = _model(text)
    return "en" if lang == "en" else ""


# Paragraphs are asked twice (extraction, then ingest) and boilerplate lines recur: a few thousand recent texts
# catch that. Most paragraphs are unique, so a larger memo only holds text (65,536 of them held ~55 MB).
@lru_cache(maxsize=4096)
def _detect_cached(text: str) -> str:
    return _detect(text)


def _detect(text: str) -> str:
    # The first thousand or so characters carry all the evidence there is; reading more only costs time.
    sample = text[:_EVIDENCE_CHARS].lower()
    cyr = _CYR_WORD.findall(sample)
    lat = _LAT_WORD.findall(sample)
    if cyr and lat and _MIXED.search(sample):
        # Latin look-alikes inside Cyrillic words ("әкiмдiгi" with a Latin i) would split them: repair first.
        from crawler.normalize import normalize_text

        sample = normalize_text(sample)
        cyr = _CYR_WORD.findall(sample)
        lat = _LAT_WORD.findall(sample)
    n_cyr, n_lat = sum(map(len, cyr)), sum(map(len, lat))
    if n_cyr + n_lat < 2:
        return ""
    if n_cyr >= n_lat:
        return _cyrillic(sample, cyr)
    return _latin(sample, lat)


def detect(text: str) -> str:
    """The language of `text`: "kk", "ru", "en", or "" when unknown (too short, or another language)."""
    if not text:
        return ""
    if len(text) <= 1000:
        return _detect_cached(text)
    return _detect(text)


def detect_paragraphs(paragraphs: Sequence[str]) -> tuple[list[str], str]:
    """Each paragraph's language and the article's (the language of most of its letters).

    A paragraph too short to tell (a name, a number, "" from the detector) takes the article's language, so a
    caption in a Kazakh story is indexed as Kazakh; a Russian quote in it keeps its own language.
    """
    langs = [detect(p) for p in paragraphs]
    weight: dict[str, int] = {}
    for text, lang in zip(paragraphs, langs, strict=True):
        if lang:
            weight[lang] = weight.get(lang, 0) + len(text)
    article = max(weight, key=lambda k: weight[k]) if weight else ""
    out: list[str] = []
    for text, lang in zip(paragraphs, langs, strict=True):
        if not lang or (len(text.split()) < 3 and lang != article and not _strong(text, lang)):
            lang = article
        out.append(lang)
    return out, article


def _strong(text: str, lang: str) -> bool:
    """Does `text` carry letters that prove `lang`, however short it is?"""
    if lang == "kk":
        return bool(_KK_STRICT.search(text) or _KK_LATIN.search(text))
    return False


def detect_article(paragraphs: Sequence[str]) -> str:
    """The language of a whole article given as paragraphs."""
    return detect_paragraphs(paragraphs)[1]
