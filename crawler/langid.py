"""Language identification of article text and of each paragraph: an ISO 639-1 code, or "" (unknown).

Extraction calls it per paragraph and per article; the index routes each paragraph to its analyzer by the
answer: kk, ru and en get their stemmers, every other language a neutral one (`index.analysis`).

The press here writes Kazakh and Russian, and its neighbours' languages look like them: Kyrgyz, Tatar, Bashkir
and Mongolian share Kazakh's ө ү ң ә һ, Ukrainian and Belarusian its і, Bulgarian, Serbian and Macedonian most
of Russian's function words, and Turkish, Azerbaijani and Turkmen the letters of Latin-script Kazakh. So the
answer comes from two kinds of evidence that have to agree:

- alphabets (facts, `_CYRILLIC_ALPHABETS`, `_LATIN_ALPHABETS`): a language cannot be the answer when the
  common (lower-case) words of the text use letters its alphabet lacks: Kyrgyz has no ә ғ қ ұ һ і, Russian
  no і ў ә..., Bulgarian no ы э, Turkish no q ä ñ ū á ń ó ú, Kazakh no ç ə ň ž ў ї є. Capitalised words
  (names) are not counted (but in the Turkic Latin alphabets, which respell names, only for q, w, x); up to
  one lacking letter per ten words is forgiven (a loan word, a typo).
- py3langid's full naive Bayes model (142 languages; restricted here to the ones the region's press can carry,
  `KNOWN_LANGS`), which ranks the languages that the alphabets allow, with a prior (`_PRIOR`) for the press's
  own kk, ru and en.

Before the model comes the cheap, strong evidence: a text whose letters only Kazakh's alphabet allows (with
enough of them) is Kazakh; a long text in the Russian letters alone, with Russian function words and letters
that Bulgarian, Ukrainian, Serbian and Macedonian lack, is Russian. Most paragraphs never reach the model, and
answers are memoised. Latin-script Kazakh (2018 alphabet ı á ǵ ń ó ú ý, 2021 alphabet ä ğ ñ ö ş ū ü) is unknown
to the model, which takes it for Turkmen or Crimean Tatar: the alphabets decide what it may be, and the words that
only Latin Kazakh writes (`_KK_LATIN_ONLY`: ǵ, ū, ń before a vowel, the 2018 ı beside a vowel; its function words
in the three spellings), less those of its Turkic neighbours (ve, və, va, we, bilen, Uzbek oʻ, Turkish Trump'ın),
are added to the model's score for its proxy, or decide alone when there are enough of them.

Two words or three cannot tell Kazakh from Kyrgyz or Tatar: a short text (or one of names only, a byline) is one
of kk, ru, en (the press's languages) unless its letters rule all three out. `bench/eval_langid.py` measures all of it.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

LANGS = ("kk", "ru", "en")  # the press's own languages: each has its stemmer in the index
# The other languages detect() names (each indexed with the neutral analyzer): the neighbours whose text looks
# like Kazakh or Russian, and the languages of the region's partners that their pages carry.
OTHER_LANGS = (
    "uk", "be", "bg", "sr", "mk", "mn", "ky", "tt", "ba", "uz", "tg", "tr", "az", "tk", "ug",
    "de", "fr", "es", "it", "pl", "zh", "ko", "ja", "ar", "fa",
)  # fmt: skip
KNOWN_LANGS = LANGS + OTHER_LANGS
# The model's class that stands for Latin-script Kazakh, which it does not know: Crimean Tatar, a Kipchak
# language written in nearly the 2021 Kazakh alphabet, is where it puts that text. Never an answer itself.
_LATIN_KK_PROXY = "crh"
_RESPELLING = frozenset(("kk", "tr", "az", "tk", "uz"))  # Latin alphabets that respell foreign names
_OTHER_SCRIPT_LANGS = frozenset(("ug", "ar", "fa", "zh", "ja", "ko"))
_MODEL_LANGS = [*KNOWN_LANGS, _LATIN_KK_PROXY]
_PRESS = frozenset((*LANGS, _LATIN_KK_PROXY))
# What the press's own languages get added to the model's score (a log-likelihood-like sum over the text's
# n-grams): the prior odds that a paragraph of a Kazakh regional site is Kazakh, Russian or English rather than
# a neighbour's language. A short text needs its letters or a clear n-gram signal to be a neighbour's; a long one
# outweighs the prior. Chosen on one half of the negatives and the kk/ru sets (bench/eval_langid.py reports the
# other half).
_PRIOR = 3.0


def _minus(letters: str, drop: str) -> str:
    return "".join(c for c in letters if c not in drop)


_RU = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_LAT = "abcdefghijklmnopqrstuvwxyz"
# The lower-case letters of each language's alphabet, per script (facts of the alphabets; loan words keep the
# letters of the alphabet they were spelt into). A language missing from a script's table is not a candidate
# for text in that script.
# fmt: off
_CYRILLIC_ALPHABETS: dict[str, frozenset[str]] = {lang: frozenset(letters) for lang, letters in {
    "ru": _RU,
    "kk": _RU + "әғқңөұүһі",
    "ky": _RU + "ңөү",
    "tt": _RU + "әөүҗңһ",
    "ba": _RU + "әғҙҡңөҫүһ",
    "mn": _RU + "өү",
    "uz": _minus(_RU, "щы") + "ўқғҳ",
    "tg": _minus(_RU, "щы") + "ғӣқӯҳҷ",
    "uk": _minus(_RU, "ёъыэ") + "ґєії",
    "be": _minus(_RU, "ищъ") + "іў",
    "bg": _minus(_RU, "ёыэ"),
    "sr": _minus(_RU, "ёйщъыьэюя") + "ђјљњћџ",
    "mk": _minus(_RU, "ёйщъыьэюя") + "ѓѕјљњќџ",
}.items()}
_LATIN_ALPHABETS: dict[str, frozenset[str]] = {lang: frozenset(letters) for lang, letters in {
    "kk": _LAT + "áǵıńóúý" + "äğñöşūü",  # the 2018 and the 2021 alphabets
    "en": _LAT,
    "de": _LAT + "äöüß",
    "fr": _LAT + "àâæçéèêëîïôœùûüÿ",
    "es": _LAT + "áéíóúñü",
    "it": _LAT + "àèéìíîòóùú",
    "pl": _minus(_LAT, "qvx") + "ąćęłńóśźż",
    "tr": _minus(_LAT, "qwx") + "çğıöşüâîû",
    "az": _minus(_LAT, "w") + "çəğıöşü",
    "tk": _minus(_LAT, "cqvx") + "çäňöşüýž",
    "uz": _minus(_LAT, "w"),  # oʻ and gʻ: the modifier letter is not a letter of these words
}.items()}
# fmt: on


def _special(alphabets: dict[str, frozenset[str]], script: str) -> re.Pattern[str]:
    """The letters of `script` that some alphabet of the table lacks: the only ones worth counting."""
    common = frozenset.intersection(*alphabets.values())
    lower = sorted({c for c in script if c.islower() and c.isalpha()} - common)
    return re.compile("[" + "".join(re.escape(c) for c in lower) + "]")


_CYR_SPECIAL = _special(_CYRILLIC_ALPHABETS, "".join(map(chr, range(0x400, 0x530))))
_LAT_SPECIAL = _special(_LATIN_ALPHABETS, _LAT + "".join(map(chr, range(0xC0, 0x250))) + "ə")

_CYR_WORD = re.compile(r"[\u0400-\u052f]+")
# Latin letters: ASCII, Latin-1, Extended-A and -B, and Azerbaijani's schwa ə (U+0259, in the IPA block).
_LAT_WORD = re.compile(r"[A-Za-z\u00c0-\u024f\u0259]+")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u0259\u0400-\u052f]")  # Arabic, Han, Hangul, kana...
_ASCII = frozenset(_LAT)
_ANY_WORD = re.compile(r"[^\W\d_]+")
_MIXED = re.compile(r"[\u0400-\u04ff][A-Za-z]|[A-Za-z][\u0400-\u04ff]")  # a Latin letter touching a Cyrillic one
# Letters of Kazakh Cyrillic that Russian lacks, and the words that hold them (from the letter to the word's end).
_KK_LETTERS = "әғқңөұүһі"
_KK_STRICT = re.compile(r"[әұіңөүһӘҰІҢӨҮҺ]")  # not ғ қ, which Uzbek and Tajik write too: for `_strong`
_KK_WORD = re.compile(f"[{_KK_LETTERS}][\u0400-\u04ff]*")
# Latin Kazakh: 2018 acute alphabet and 2021 alphabet letters. Dotless ı is the commonest of them.
_KK_LATIN = re.compile(r"[ıáǵńóúýäğñöşūüİÁǴŃÓÚÝÄĞÑÖŞŪÜ]")
# Kazakh typed in plain ASCII: q without u, and common endings of Kazakh words.
_ASCII_KAZAKH = re.compile(r"q(?!u)|(?:dyn|nyn|nyń|tyn|ǵa|ge|daǵy|dagy|lar|ler|shy|ty|dy)$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent function words (facts of each language). Russian ones that Kazakh also uses ("он", "не") are left out.
_RU_WORDS = _words(
    "и в во на что с со по к о об от из за для это как а но до при же или был была были было его её их "
    "также который которая которые которых этого этом она они мы вы уже еще ещё только году года лет "
    "более будет может быть так то все всех между после через под над без"
)
_KK_WORDS = _words(
    "және мен бен пен бұл осы үшін бойынша деп жыл жылы жылғы бар жоқ екен болды болады туралы арқылы "
    "кейін дейін бір екі оның олар біз сіз ол да де та те ма ме ба бе па пе жаңа облысы ауданы қаласы "
    "немесе емес сол астам алты жеті бес отыз елу алпыс сексен кезде деді деген еді болса болып алды"
)
_SLAVIC = ("uk", "be", "bg", "sr", "mk")  # the Cyrillic Slavic neighbours of Russian
# For the fast paths: the letters of Russian that each of them lacks (ы, э, ё, и...); Kazakh's own letters and,
# for each other Cyrillic alphabet, which of them it lacks; the Cyrillic letters Kazakh's or Russian's lacks.
_SLAVIC_LACKS = tuple("".join(c for c in _RU if c not in _CYRILLIC_ALPHABETS[lang]) for lang in _SLAVIC)
_LACKS_OF_KK_OWN = tuple(
    tuple(i for i, c in enumerate(_KK_LETTERS) if c not in alphabet)
    for lang, alphabet in _CYRILLIC_ALPHABETS.items()
    if lang != "kk"
)
_CYR_LOWER = [chr(c) for c in range(0x400, 0x530) if chr(c).islower()]
_NOT_KK = re.compile("[" + "".join(c for c in _CYR_LOWER if c not in _CYRILLIC_ALPHABETS["kk"]) + "]")
_NOT_RU = re.compile("[" + "".join(c for c in _CYR_LOWER if c not in _CYRILLIC_ALPHABETS["ru"]) + "]")
_KK_AND_RU_WORDS = frozenset(("да", "та", "те"))  # Kazakh particles that are Russian words too
# Kazakh case endings in Russian letters that no Russian word has (a loan word inflected in Kazakh: трекпен,
# изоляторына, компанияларды): instrumental -пен/-бен, possessive with a case, plural with a case. (-мен is
# left out: взамен, феномен, джентльмен.)
_KK_ENDING = re.compile(r"(?:пен|бен|ыны|ына|ында|ынан|ымен|[лдт]ар(?:ды|дан|мен))$")
# Russian function words that Ukrainian, Belarusian, Bulgarian, Serbian and Macedonian do not have (their
# words for "that", "this", "was", "will be", "only", "if" are spelt otherwise).
_RU_ONLY_WORDS = _words(
    "что это эти этих этого этом который которая которое которые которых был была были было будет может "
    "быть только также если чтобы когда уже ещё еще его её их году года сейчас почему"
)
# Kazakh words written in plain Latin letters (no letter of either alphabet gives them away).
_KK_LATIN_WORDS = _words(
    "men pen ben jane bul osy bar jok joq jyl jyly edi emes ushin boiynsha degen dep dedi keledi ol olar "
    "biz siz sizder bizder ata jer ony ogan qala qalasy oblysy audany jasta eken"
)
# What only Latin Kazakh writes (the model, which has no Latin Kazakh, needs it told): in a word, ǵ (2018 ғ),
# ū (2021 ұ); ń before a vowel or g, or after y/i/ı (Polish ń never stands there); ñ at a word's end or before a
# consonant (Spanish ñ always has a vowel after it); the 2018 ı beside a vowel (ай, ей, ия: keıin, Reseı,
# kompanııa), which Turkish and Azerbaijani, whose ı has no vowel beside it, do not write.
_KK_LATIN_ONLY = re.compile(r"ǵ|ū|ń[aeiouyıáóúýgǵ]|[yiı]ń|ñ(?![aeiouyıäöü])|[aeouáóúıý]ı|ı[aeouáóúý]")
# Kazakh function words in the 2018, 2021 and plain spellings that no Turkic neighbour writes alike (not men,
# ol, olar, biz, bar, edi, eken, dedi: Turkmen, Uzbek or Turkish words too).
_KK_LATIN_ONLY_WORDS = _words(
    "bul osy jáne jäne jane úshin üşin ushin boıynsha boiynşa boiynsha týraly turaly arqyly keıin keiin "
    "deıin deiin degen dep jyly jylǵy jylğy jylgy bıyl biyl sondaı sondai alaıda alaida bolyp bolady sonymen "
    "qazir ıaǵnı iağni oblysy oblysynyń aýdany audany qalasy"
)
# Function words of the Turkic neighbours written in Latin letters that Kazakh does not use: Turkish,
# Azerbaijani, Uzbek, Turkmen (ve, və, va, we: "and"; ile, ilə, bilan, bilen: "with"; bu: "this").
_TURKIC_LATIN_WORDS = _words(
    "ve ile için olarak gibi daha ancak kadar ise ama değil ben sen diye olan oldu çok şimdi yıl yılında "
    "və ilə üçün olaraq deyə amma həm isə "
    "va bilan uchun ham esa haqida kerak juda yaxshi deb degan emas shu "
    "we bilen hem üçin diýip ýaly ýöne däl bolup boýunça bu"
)
# Turkish and Azerbaijani put an apostrophe between a name and its suffix (Trump'ın), Uzbek writes oʻ and gʻ
# with one: Latin Kazakh writes neither.
_TURKIC_APOSTROPHE = re.compile(r"[^\W\d_][ʻ‘'’ʼ`][a-zçğıöşüəñ]")
_EVIDENCE = 12.0  # added to the Latin-Kazakh proxy's model score per word of evidence (minus the neighbours')
EN_WORDS = _words(
    "the of and to in is for on that with by as at from this are was be it an or have has will its which "
    "their been were not but they"
)

_MODEL_CHARS = 2000  # the model reads at most this much of a text: enough to be sure, cheap on 5 MB input
_EVIDENCE_CHARS = 1500  # letter and word counting reads at most this much
_SHORT = 3  # words: up to this many, a text is one of the press's languages unless its letters rule them out
_TOLERANCE = 0.1  # letters an alphabet lacks may occur up to once per ten common words (a loan word, a typo)


class _Model:
    """py3langid's full model, loaded once on first use (loading takes a moment), restricted to `_MODEL_LANGS`."""

    _lock = threading.Lock()
    _identifier: Any = None

    @classmethod
    def get(cls) -> Any:
        if cls._identifier is None:
            with cls._lock:
                if cls._identifier is None:
                    import py3langid.langid as pl

                    full = pl.LanguageIdentifier.from_modelpath(pl.MODEL_DIR / pl.MODEL_FILE, norm_probs=False)
                    full.set_languages(_MODEL_LANGS)
                    # A model of our languages only: the restricted one keeps the full weights (28 MB, for a
                    # later set_languages), which every process that extracts would carry for nothing.
                    cls._identifier = pl.LanguageIdentifier(
                        full.nb_ptc,
                        full.nb_pc,
                        full.nb_classes,
                        full.tk_nextmove,
                        full.tk_output,
                        norm_probs=False,
                        tk_row=full.tk_row,
                    )
        return cls._identifier


def _ranked(text: str, latin_kk: float = 0.0) -> list[str]:
    """The model's languages, best first, after the prior for the press's own languages (`_PRIOR`) and
    `latin_kk` added for Latin-script Kazakh (its proxy)."""
    scored = [
        (score + _PRIOR + (latin_kk if lang == _LATIN_KK_PROXY else 0.0) if lang in _PRESS else score, str(lang))
        for lang, score in _Model.get().rank(text[:_MODEL_CHARS])
    ]
    scored.sort(reverse=True)
    return [lang for _score, lang in scored]


# Counting loops in C (map over a bound method) rather than a generator per word: these run per paragraph.
def _count_in(vocabulary: frozenset[str], words: list[str]) -> int:
    """How many of `words` (with repeats) are in `vocabulary`."""
    return sum(map(vocabulary.__contains__, words))


def _count_matching(pattern: re.Pattern[str], words: list[str]) -> int:
    """How many of `words` `pattern` finds something in."""
    return len(words) - list(map(pattern.search, words)).count(None)


def _lowered(written: list[str]) -> tuple[list[str], str]:
    """`written` (words as written) lower-cased, as a list and as one text."""
    text = " ".join(written).lower()
    return text.split(), text


def _common_text(written: list[str], text: str) -> tuple[str, int]:
    """The part of `text` (the lower-cased words `written`) that counts as evidence of the alphabet: all but the
    capitalised words (names: a Kazakh name in a Russian text), unless they are most of the words (a title, a
    byline); and how many words are capitalised."""
    common = [w for w in written if w[0].islower()]
    names = len(written) - len(common)
    if 2 * names > len(written):
        return text, names
    return " ".join(common).lower(), names


def _compatible(
    alphabets: dict[str, frozenset[str]], special: re.Pattern[str], common: str, n: int, everywhere: str = ""
) -> dict[str, bool]:
    """Per language of the table: can its alphabet have written the `common` text of `n` words? Letters it
    lacks may occur up to `_TOLERANCE` times per word (a loan word, a typo).

    With `everywhere` (the whole text, names too: Latin script), a letter outside ASCII that a Turkic alphabet
    lacks rules it out wherever it stands: Turkish, Azerbaijani, Turkmen, Uzbek and Kazakh respell foreign names
    in their own letters (Kazakistan, Qazaqstan), where English, German or Spanish keep Zárate and Monáe.
    """
    counts = Counter(special.findall(common))
    strict = set(special.findall(everywhere)) - _ASCII if everywhere else set()
    present = set(counts)
    allowed = _TOLERANCE * n
    ok: dict[str, bool] = {}
    for lang, alphabet in alphabets.items():
        missing = present - alphabet
        lacked = sum(map(counts.__getitem__, missing)) if missing else 0
        ok[lang] = lacked <= allowed and (lang not in _RESPELLING or strict <= alphabet)
    return ok


def _choose(ranked: list[str], ok: dict[str, bool], short: bool) -> str:
    """The model's best language among those the alphabets allow (for a short text, kk, ru or en first)."""
    allowed = [lang for lang in ranked if ok.get(lang, False)]
    if short:
        ours = [lang for lang in allowed if lang in LANGS]
        if ours:
            return ours[0]
    return allowed[0] if allowed else ""


# A quotation or a quoted name: «...», "...", “...”, „...“ (at most 120 characters, on one line).
_QUOTED = re.compile(r"«[^»\n]{1,120}»|\"[^\"\n]{1,120}\"|“[^”\n]{1,120}”|„[^“”\n]{1,120}[“”]")


def _unquoted(sample: str) -> str:
    """`sample` without its quotations when most of its words, and at least four, stand outside them: the
    language of a sentence is the one it is written in, not that of the programme, company or saying it names."""
    if "«" not in sample and '"' not in sample and "“" not in sample and "„" not in sample:
        return sample
    rest = _QUOTED.sub(" ", sample)
    outside = len(_ANY_WORD.findall(rest))
    return rest if outside >= 4 and 2 * outside >= len(_ANY_WORD.findall(sample)) else sample


def _kazakh_only(common: str, n: int) -> bool:
    """Do the letters of `common` (`n` words) rule out every Cyrillic alphabet but Kazakh's? (The fast path:
    counts of Kazakh's own letters only, each a lower bound of what another alphabet lacks.)"""
    if _NOT_KK.search(common) is not None:
        return False
    counts = list(map(common.count, _KK_LETTERS))
    if not any(counts):
        return False
    allowed = _TOLERANCE * n
    get = counts.__getitem__
    return all(sum(map(get, lacks)) > allowed for lacks in _LACKS_OF_KK_OWN)


def _russian_only(common: str) -> bool:
    """Are all letters of `common` Russian ones, with one that each other Slavic alphabet lacks?"""
    return _NOT_RU.search(common) is None and all(any(c in common for c in lacks) for lacks in _SLAVIC_LACKS)


def _cyrillic(written: list[str]) -> str:
    """The language of a text whose letters are mostly Cyrillic: `written` are its Cyrillic words as written."""
    n = len(written)
    words, text = _lowered(written)
    kk_words = _count_in(_KK_WORDS, words)
    ru_fast = n >= 6 and kk_words == _count_in(_KK_AND_RU_WORDS, words) and _count_in(_RU_WORDS, words) >= 0.12 * n
    # Russian letters only, some that the other Slavic alphabets lack, and Russian function words: most
    # paragraphs pass on the whole text; one that names a Kazakh place is read again without its names.
    if ru_fast and _russian_only(text):
        return "ru"
    if kk_words and _kazakh_only(text, n) and len(_KK_WORD.findall(text)) + kk_words >= 0.25 * n:
        return "kk"  # the same for Kazakh, which has its function words (a Russian text naming Kazakh places has not)
    common, names = _common_text(written, text)
    if ru_fast and common != text and _russian_only(common):
        return "ru"
    if _kazakh_only(common, n) and len(_KK_WORD.findall(common)) + kk_words >= 0.25 * n:
        return "kk"  # only Kazakh's alphabet has these letters, and there are enough of them
    ok = _compatible(_CYRILLIC_ALPHABETS, _CYR_SPECIAL, common, n)
    if ok["ru"] and _count_in(_RU_ONLY_WORDS, words) >= max(1, 0.1 * n):
        for lang in _SLAVIC:
            ok[lang] = False
    # Too short to tell the neighbours apart, or nothing but names (a byline, a caption): one of ours.
    short = n <= _SHORT or names >= n
    if (
        short
        and ok["kk"]
        and kk_words - _count_in(_KK_AND_RU_WORDS, words) + _count_matching(_KK_ENDING, words)
        > _count_in(_RU_WORDS, words)
    ):
        return "kk"
    return _choose(_ranked(text), ok, short)


def _latin(written: list[str], sample: str) -> str:
    """The language of a text whose letters are mostly Latin: `written` are its Latin words as written, `sample`
    the text they come from."""
    n = len(written)
    words, text = _lowered(written)
    ok = _compatible(_LATIN_ALPHABETS, _LAT_SPECIAL, _common_text(written, text)[0], n, everywhere=text)
    ok[_LATIN_KK_PROXY] = ok["kk"]
    en = _count_in(EN_WORDS, words)
    if ok["en"] and en >= 0.1 * n and en >= 1 and n > _SHORT:
        return "en"
    if ok["kk"]:
        kk_letters = _count_matching(_KK_LATIN, words)
        kk_words = _count_in(_KK_LATIN_WORDS, words)
        if n <= _SHORT:
            if kk_letters >= 1 and kk_letters >= en:
                return "kk"
            if (kk_words >= 1 and kk_words > en) or (_count_matching(_ASCII_KAZAKH, words) >= 1 and en == 0):
                return "kk"
    # Evidence for Latin Kazakh against that for its Turkic neighbours, in words: what the model cannot see.
    evidence = _count_matching(_KK_LATIN_ONLY, words) + _count_in(_KK_LATIN_ONLY_WORDS, words)
    evidence -= _count_in(_TURKIC_LATIN_WORDS, words) + len(_TURKIC_APOSTROPHE.findall(sample))
    if ok["kk"] and n > _SHORT and evidence >= 2 and evidence >= 0.15 * n:
        return "kk"  # the model, which has no Latin Kazakh, cannot outweigh that
    lang = _choose(_ranked(text, _EVIDENCE * evidence), ok, n <= _SHORT)
    return "kk" if lang == _LATIN_KK_PROXY else lang


def _other_script(sample: str) -> str:
    """The language of a text in neither Cyrillic nor Latin letters (Arabic, Han, Hangul, kana): the model's best
    of the languages we know in those scripts, "" when it prefers another one."""
    best = next(lang for lang in _ranked(sample) if lang not in _PRESS)
    return best if best in _OTHER_SCRIPT_LANGS else ""


# Paragraphs are asked twice (extraction, then ingest) and boilerplate lines recur: a few thousand recent texts
# catch that. Most paragraphs are unique, so a larger memo only holds text (65,536 of them held ~55 MB).
@lru_cache(maxsize=4096)
def _detect_cached(text: str) -> str:
    return _detect(text)


def _detect(text: str) -> str:
    # The first thousand or so characters carry all the evidence there is; reading more only costs time.
    sample = _unquoted(text[:_EVIDENCE_CHARS])
    cyr = _CYR_WORD.findall(sample)
    lat = _LAT_WORD.findall(sample)
    if cyr and lat and _MIXED.search(sample):
        # Latin look-alikes inside Cyrillic words ("әкiмдiгi" with a Latin i) would split them: repair first.
        from crawler.normalize import normalize_text

        sample = normalize_text(sample)
        cyr = _CYR_WORD.findall(sample)
        lat = _LAT_WORD.findall(sample)
    n_cyr, n_lat = sum(map(len, cyr)), sum(map(len, lat))
    n_other = len(_OTHER_LETTER.findall(sample)) if _OTHER_LETTER.search(sample) else 0
    if n_other > n_cyr + n_lat and n_other >= 2:
        return _other_script(sample)
    if n_cyr + n_lat < 2:
        return ""
    if n_cyr >= n_lat:
        return _cyrillic(cyr)
    return _latin(lat, sample)


def detect(text: str) -> str:
    """The language of `text`: one of `KNOWN_LANGS`, or "" when unknown (too short, or no language we know)."""
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
