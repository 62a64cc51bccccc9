"""A light Kazakh stemmer: strips inflectional endings so that the forms of one word meet in one index term.

Kazakh is agglutinative (stem + plural + possessive + case, then personal endings), so a word like
аймағындағы or мектептеріміздегі carries three or four endings. No stemmer exists that we may ship (kazstem
needs compiled FSTs and is GPL; Snowball has no Kazakh), so this is our own: endings are stripped from the
end of the word in a fixed order (verb endings, personal endings, the relative -ғы after a locative, case,
possessive, plural, then derivational endings worth taking), each chosen by vowel harmony and by what the stem
ends with (-сы after a vowel only, -тар after a voiceless consonant), never below a minimum stem, and the
stem's final consonant that voiced before a vowel is restored (аймағ -> аймақ, кітаб -> кітап, жүрег -> жүрек).

The same rules run on the folded Latin skeleton of `index.analysis.fold` (`stem_folded`), where harmony is
lost (ә and а both fold to a), so the folded stemmer relies on context and length alone. Both are memoised:
they run once per token of every indexed article. The filters in `index.analysis` call them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from index.analysis.fold import fold_word


def _words(text: str) -> list[str]:
    return text.split()


__all__ = ["KAZAKH_STOPWORDS", "stem", "stem_folded"]

MIN_STEM = 2  # letters left after stripping; the stem must also keep a vowel

BACK = frozenset("аоұы")
FRONT = frozenset("әөүіе")
VOWELS = frozenset("аәеиоөұүыіуэюяё")
VOICELESS = frozenset("кқпстфхцчшщһ")
NASALS = frozenset("мнң")
RESTORE = {"ғ": "қ", "г": "к", "б": "п"}
HARMONY_FREE = frozenset({"мен", "бен", "пен", "менен", "бенен", "пенен"})  # the instrumental keeps one form

# Words whose ending only looks like a suffix (теңге is not тең + ге, Алматы not Алмат + ы): kept whole.
PROTECTED = frozenset(
    _words(
        """теңге алматы астана ақтау атырау тараз бірге кейде бірден мұнда онда сонда бұнда ерте кеше әлде
        қазақстан тамыз маусым ақпан қараша қаңтар наурыз сәуір мамыр шілде қыркүйек желтоқсан қарашада
        жоспар қарағанды басқа шағын жиын жаңалық"""
    )
)
# Frequent nouns ending in -н, so that their possessive -ы (ауданы) is not read as an accusative -ны
# (қаланы = қала + ны); country names in -стан are among them (Түркістан is not Түркіс + тан).
N_FINAL = frozenset(
    _words(
        """аудан майдан орман заман тұман отан арман жан ұран кеден мекен өлең қорған алаң заң жылан қырман тұрғын
        қазақстан түркістан өзбекстан ауғанстан пәкістан тәжікстан қырғызстан түрікменстан дағыстан
        диқан кен күн сан құн ақын"""
    )
)

KAZAKH_STOPWORDS = frozenset(
    _words(
        """және мен бен пен да де та те бұл сол осы ол олар біз сіз сен үшін деп еді екен болып болды әлі тағы
        немесе бірақ себебі яғни сондай мұндай бойынша арқылы туралы дейін кейін қарай соң ғана ма ме ба бе
        па пе ше ғой қой оның оны оған одан мына міне енді соның осының мұның"""
    )
)


@dataclass(frozen=True, slots=True)
class _Ending:
    text: str
    after: str  # the context the stem must end in; see `_Rules.context_ok`


def _endings(spec: Iterable[tuple[str, str]], fold: Callable[[str], str] | None = None) -> tuple[_Ending, ...]:
    seen: dict[tuple[str, str], _Ending] = {}
    for texts, after in spec:
        for text in texts.split():
            text = fold(text) if fold else text
            seen.setdefault((text, after), _Ending(text, after))
    # Longest first, so -ларымыз is tried before -мыз.
    return tuple(sorted(seen.values(), key=lambda e: -len(e.text)))


# The steps, outermost ending first. Each strips at most one ending.
_STEP_SPECS: tuple[tuple[tuple[str, str], ...], ...] = (
    # Verb endings: бармады, бармаған, барады, жасайды, барғыз. A verb form ends the stripping.
    (
        ("мады меді бады беді пады педі", "any"),
        ("маған меген баған беген паған пеген", "any"),
        ("ған ген", "voiced"),
        ("қан кен", "voiceless"),
        ("йды йді", "vowel"),
        ("ады еді", "consonant"),
        ("амын емін айды ейді", "consonant"),
        ("ғыз гіз", "voiced"),
        ("қыз кіз", "voiceless"),
        ("атын етін йтын йтін", "any"),
    ),
    # Personal (predicative) endings: барамын, мұғаліммін.
    (("мын мін", "vowel"), ("пын пін", "voiceless"), ("бын бін", "voiced_consonant"), ("сың сің сыз сіз", "any")),
    # The relative -ғы/-гі after a locative: мектептегі, аймағындағы.
    (("дағы дегі ндағы ндегі", "any"), ("тағы тегі", "voiceless")),
    # Case.
    (
        ("ның нің", "vowel_or_nasal"),
        ("дың дің", "voiced_consonant"),
        ("тың тің", "voiceless"),
        ("ға ге", "voiced"),
        ("қа ке", "voiceless"),
        ("на не", "poss3"),
        ("ны ні", "vowel"),
        ("ды ді", "voiced_consonant"),
        ("ты ті", "voiceless"),
        ("н", "poss3_n"),
        ("да де", "voiced"),
        ("та те", "voiceless"),
        ("нда нде", "poss3"),
        ("дан ден", "voiced"),
        ("тан тен", "voiceless"),
        ("нан нен", "vowel_or_nasal"),
        ("мен", "voiced"),
        ("бен", "voiced_consonant"),
        ("пен", "voiceless"),
        ("менен бенен пенен", "any"),
    ),
    # Possessive.
    (
        ("ы і", "poss3_vowel"),
        ("сы сі", "sy"),
        ("ымыз іміз", "consonant"),
        ("мыз міз", "vowel"),
    ),
    # Plural.
    (("лар лер", "plural_l"), ("дар дер", "plural_d"), ("тар тер", "voiceless")),
    # Derivational endings worth taking: алмалық -> алма, алмарақ -> алма.
    (
        ("лық лік", "plural_l"),
        ("дық дік", "plural_d"),
        ("тық тік", "voiceless"),
        ("рақ рек", "vowel"),
        ("ырақ ірек", "consonant"),
    ),
)
_VERB_STEP = 0
_CASE_STEP = 3
# Verb and derivational endings leave at least three letters: сегіз is not се + гіз, жүрек not жү + рек.
_LONGER_STEM_STEPS = (0, 6)


@dataclass(slots=True)
class _Rules:
    """The letter classes of one alphabet (Cyrillic, or the folded Latin skeleton)."""

    vowels: frozenset[str]
    voiceless: frozenset[str]
    nasals: frozenset[str]
    high: str  # the 3rd person possessive vowels ы, і
    l_plural_after: str  # consonants after which the plural is -лар
    agent: tuple[str, ...]  # agent-noun endings that take -сы (жазушысы)
    restore: dict[str, str]
    steps: tuple[tuple[_Ending, ...], ...]
    protected: frozenset[str]
    n_final: frozenset[str]
    n_final_suffix: tuple[str, ...]
    harmony: bool
    plurals: tuple[str, ...]
    agent_consonant: str
    n_letter: str
    sy_consonant: str
    accusative_ny: tuple[str, ...]
    consonant_like_vowels: str = ""  # й folds to i: a final i may be a consonant

    def is_vowel(self, ch: str) -> bool:
        return ch in self.vowels

    def context_ok(self, after: str, stem: str) -> bool:
        last = stem[-1]
        vowel = last in self.vowels
        consonant = not vowel or last in self.consonant_like_vowels
        if after == "any":
            return True
        if after == "vowel":
            return vowel
        if after == "consonant":
            return consonant
        if after == "poss3_vowel":
            # the possessive -ы/-і, but not the agent noun's own vowel: жұмысшы, оқушы stay whole
            return consonant and not (len(stem) >= 4 and stem.endswith(self.agent_consonant))
        if after == "voiced":
            return last not in self.voiceless
        if after == "voiced_consonant":
            return consonant and last not in self.voiceless
        if after == "voiceless":
            return last in self.voiceless
        if after == "vowel_or_nasal":
            return vowel or last in self.nasals
        if after == "poss3":  # -на, -н, -нда follow the 3rd person possessive -ы/-і/-сы/-сі only
            return last in self.high
        if after == "poss3_n":
            # the bare accusative -н is taken only where the -ы/-і before it is surely a possessive: after
            # -сы (жобасын), after a voiced ғ/г/б (аймағын) or a known noun in -н (ауданын); кәсіпорын stays.
            if last not in self.high or len(stem) < 3:
                return False
            before = stem[:-1]
            return (
                (before[-1] in self.sy_consonant and before[-2] in self.vowels)
                or before[-1] in self.restore
                or before in self.n_final
                or before.endswith(self.n_final_suffix)
                or before.endswith(self.plurals)
            )
        if after == "plural_l":  # -лар after vowels and р, й, у
            return vowel or last in self.l_plural_after
        if after == "plural_d":  # -дар after л and the other voiced consonants
            return consonant and last not in self.voiceless and last not in self.l_plural_after
        if after == "sy":
            # -сы after a vowel only; a stem in -ы/-і takes it only as an agent noun (жазушысы): otherwise the
            # с belongs to the stem (облысы = облыс + ы, not облы + сы).
            return vowel and (last not in self.high or stem.endswith(self.agent))
        raise ValueError(after)

    def harmony_ok(self, ending: str, stem: str) -> bool:
        if not self.harmony:
            return True
        suffix_class = _harmony_class(ending)
        stem_class = _harmony_class(stem)
        if ending in HARMONY_FREE:
            return True
        if not suffix_class or not stem_class or suffix_class == stem_class:
            return True
        # Russian loans ending in two consonants (банктің, спортқа) often break harmony.
        return len(stem) >= 2 and stem[-1] not in self.vowels and stem[-2] not in self.vowels


def _harmony_class(text: str) -> str:
    """ "back" or "front" by the last vowel; "" when it is neutral (и, у) or there is none."""
    for ch in reversed(text):
        if ch in BACK:
            return "back"
        if ch in FRONT:
            return "front"
        if ch in VOWELS:
            return ""
    return ""


def _strip_step(
    word: str, step: tuple[_Ending, ...], rules: _Rules, min_stem: int = MIN_STEM
) -> tuple[str, _Ending | None]:
    for ending in step:
        if not word.endswith(ending.text):
            continue
        rest = word[: -len(ending.text)]
        if len(rest) < min_stem or not any(ch in rules.vowels for ch in rest):
            continue
        if not rules.context_ok(ending.after, rest) or not rules.harmony_ok(ending.text, rest):
            continue
        if ending.text[0] == rules.n_letter and _n_final(rest + rules.n_letter, rules):
            continue  # ауданың is аудан + ың, not ауда + ның
        return rest, ending
    return word, None


def _n_final(word: str, rules: _Rules) -> bool:
    return word in rules.n_final or word.endswith(rules.n_final_suffix)


def _stem(word: str, rules: _Rules) -> str:
    if len(word) <= MIN_STEM or word in rules.protected or _n_final(word, rules) or not word.isalpha():
        return word
    current = word
    for index, step in enumerate(rules.steps):
        if current in rules.protected or _n_final(current, rules):
            return current
        before = current
        current, ending = _strip_step(current, step, rules, MIN_STEM + (index in _LONGER_STEM_STEPS))
        if ending is None:
            continue
        if index == _VERB_STEP:
            break  # a verb form: its remaining endings are not nominal ones
        if index == _CASE_STEP and ending.text in rules.accusative_ny:
            # -ны after a vowel is the accusative (қала + ны) unless the stem is a known noun in -н whose
            # 3rd person possessive it is (аудан + ы).
            candidate = before[:-1]
            if candidate in rules.n_final or candidate.endswith(rules.n_final_suffix):
                current = candidate
    last = current[-1:]
    # A stem never ends in the voiced ғ/г/б when a vowel followed it; normalising the final consonant always
    # (not only after a stripped ending) keeps клуб and клубы on one term.
    return current[:-1] + rules.restore[last] if last in rules.restore else current


_CYRILLIC_RULES = _Rules(
    vowels=VOWELS,
    voiceless=VOICELESS,
    nasals=NASALS,
    high="ыі",
    l_plural_after="рйу",
    agent=("шы", "ші"),
    restore=RESTORE,
    steps=tuple(_endings(spec) for spec in _STEP_SPECS),
    protected=PROTECTED,
    n_final=N_FINAL,
    n_final_suffix=("орын",),
    harmony=True,
    plurals=("лар", "лер", "дар", "дер", "тар", "тер"),
    agent_consonant="ш",
    n_letter="н",
    sy_consonant="с",
    accusative_ny=("ны", "ні"),
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one Cyrillic Kazakh word: аймағындағы -> аймақ, мектептеріміздегі -> мектеп."""
    return _stem(word.lower().replace("ё", "е"), _CYRILLIC_RULES)


_FOLDED_RULES: _Rules | None = None
# In the skeleton ң is n and ың is yn: a possessive "-n" would cut every word in -н (audan -> auda).
_FOLDED_AMBIGUOUS = frozenset({("syn", "any"), ("sin", "any")})


def _folded_rules() -> _Rules:
    global _FOLDED_RULES
    if _FOLDED_RULES is None:
        _FOLDED_RULES = _Rules(
            vowels=frozenset("aeiouy"),
            voiceless=frozenset("kpstfhc"),  # sh, ch and ts end in h and s: voiceless too
            nasals=frozenset("mn"),
            high="yi",
            l_plural_after="riu",
            agent=("shy", "shi"),
            restore={"g": "k", "b": "p"},
            steps=tuple(
                tuple(e for e in _endings(spec, fold_word) if (e.text, e.after) not in _FOLDED_AMBIGUOUS)
                for spec in _STEP_SPECS
            ),
            protected=frozenset(fold_word(w) for w in PROTECTED),
            n_final=frozenset(fold_word(w) for w in N_FINAL),
            n_final_suffix=("oryn",),
            harmony=False,
            plurals=("lar", "ler", "dar", "der", "tar", "ter"),
            agent_consonant="sh",
            n_letter="n",
            sy_consonant="s",
            accusative_ny=("ny", "ni"),
            consonant_like_vowels="i",
        )
    return _FOLDED_RULES


@lru_cache(maxsize=200_000)
def stem_folded(word: str) -> str:
    """The stem of one word of the folded skeleton: stem_folded(fold_word("аймағында")) == "aimak"."""
    return _stem(word, _folded_rules())
