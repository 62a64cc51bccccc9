"""A light Kazakh stemmer: strips inflectional endings so that the forms of one word meet in one index term.

Kazakh is agglutinative (stem + plural + possessive + case, then personal endings), so a word like
аймағындағы or мектептеріміздегі carries three or four endings. No stemmer exists that we may ship (kazstem
needs compiled FSTs and is GPL; Snowball has no Kazakh), so this is our own: endings are stripped from the
end of the word in a fixed order (verb endings, personal endings, the relative -ғы after a locative, case,
possessive, plural, then derivational endings worth taking), each chosen by vowel harmony and by what the stem
ends with (-сы after a vowel only, -тар after a voiceless consonant), and the stem's final consonant that voiced
before a vowel is restored (аймағ -> аймақ, кітаб -> кітап, жүрег -> жүрек).

What makes the bare and the inflected forms of one word meet (measured on real text by `bench.eval_stemmer`):
a stem keeps three letters unless it is a known root of two (ел, үй: баға is not ба + ға); derivational -лық
is taken alike before a possessive (шаруашылығы, шаруашылық -> шаруашы), lexicalised ones kept whole (барлық,
орталық); nouns that drop a vowel before a possessive are mapped back (халқы -> халық); the -ғы/-гі adjectives
of time and place lose it (жылғы -> жыл); a verb's -у dictionary form loses its -у (салу, салды, салған -> сал),
a participle with nominal endings its participle ending (алғанда -> ал). -сыз/-сіз stays: it is the privative.

The same rules run on the folded Latin skeleton of `index.analysis.fold` (`stem_folded`), where harmony is
lost (ә and а both fold to a), so the folded stemmer relies on context and length alone. Both are memoised:
they run once per token of every indexed article. The filters in `index.analysis` call them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from index.analysis.fold import fold_word


def _words(text: str) -> list[str]:
    return text.split()


__all__ = ["KAZAKH_STOPWORDS", "stem", "stem_folded"]

MIN_STEM = 2  # a word this short is kept whole; a stem keeps a vowel and three letters (see SHORT_ROOTS)

BACK = frozenset("аоұы")
FRONT = frozenset("әөүіе")
VOWELS = frozenset("аәеиоөұүыіуэюяё")
VOICELESS = frozenset("кқпстфхцчшщһ")
NASALS = frozenset("мнң")
RESTORE = {"ғ": "қ", "г": "к", "б": "п"}
HARMONY_FREE = frozenset({"мен", "бен", "пен", "менен", "бенен", "пенен"})  # the instrumental keeps one form

# Words whose ending only looks like a suffix (теңге is not тең + ге, Алматы not Алмат + ы): kept whole. Among
# them words in -ы/-і that are not possessives (алты, желі "network", not жел "wind"; their possessive is -сы:
# желісі), nouns in -у that are no verb's dictionary form (жылу "heat", оқу "education", қару "weapon") and nouns
# in -ғы/-гі that are no adjective of place or time (белгі "sign", not бел "waist"; ескі "old", not ес).
PROTECTED = frozenset(
    _words(
        """теңге алматы астана ақтау атырау тараз бірге кейде бірден мұнда онда сонда бұнда ерте кеше әлде
        қазақстан тамыз маусым ақпан қараша қаңтар наурыз сәуір мамыр шілде қыркүйек желтоқсан қарашада
        жоспар қарағанды басқа шағын жиын жаңалық жылу оқу ауру
        алты жеті желі ірі елу ақы қару
        белгі ескі қайғы шаңғы сорғы соққы мәңгі"""
    )
)
# Compounds of ақы "pay" (жалақы, зейнетақы): the ы is the word's own, and the possessive is -сы (жалақысы).
PROTECTED_SUFFIXES = ("ақы",)
# Frequent nouns ending in -н, so that their possessive -ы (ауданы) is not read as an accusative -ны
# (қаланы = қала + ны); country names in -стан are among them (Түркістан is not Түркіс + тан).
N_FINAL = frozenset(
    _words(
        """аудан майдан орман заман тұман отан арман жан ұран кеден мекен өлең қорған алаң заң жылан қырман тұрғын
        қазақстан түркістан өзбекстан ауғанстан пәкістан тәжікстан қырғызстан түрікменстан дағыстан
        диқан кен күн сан құн ақын бүгін егін сусын шығын ағын"""
    )
)

# Stems of two letters are the exception: only these roots may be cut to two (елі -> ел, үйге -> үй, ісі -> іс);
# any other ending that would leave two letters is not an ending (баға is not ба + ға, төмен not тө + мен, ірі not
# ір + і, басы is бас + ы, not ба + сы).
# Of those, the verbs: a verb ending may leave them (алған -> ал, өтеді -> өт), not the nouns (туған is not ту).
SHORT_VERB_ROOTS = frozenset(_words("""ал аш ат ет өт өс іш ұр"""))
SHORT_ROOTS = frozenset(
    _words("""ай ал ат аш ел ер ес ет ие ит із іс іш ой от өз өс өт су ту ұл ұн үй үн үш ән би ми""")
)
# Derived words in -лық/-лік... whose meaning left their base (барлық "all" is not бар "there is"): kept whole, and
# their possessive forms meet them (барлығы -> барлық).
LEXICAL_DERIVED = frozenset(_words("""барлық бастық бірлік орталық тірлік жабдық ыстық мылтық билік жарлық"""))
# Nouns that drop the vowel of their last syllable before a possessive (халық -> халқы, орын -> орны): the
# shortened stem is mapped back, so that халқының meets халық. Pairs whose two forms are different words in use
# (ерік/еркін "free", жарық/жарқын, салық/салқын, толық/толқын) are left out.
VOWEL_DROP = {
    short: full
    for full, short in (
        pair.split(":")
        for pair in _words(
            """халық:халқ орын:орн ерін:ерн мұрын:мұрн ауыз:ауз қарын:қарн дауыс:даус көрік:көрк бөрік:бөрк
            мойын:мойн қойын:қойн әріп:әрп кейіп:кейп құлық:құлқ ырық:ырқ парық:парқ қалып:қалп түрік:түрк
            ауыл:аул"""
        )
    )
}

KAZAKH_STOPWORDS = frozenset(
    _words(
        """және мен бен пен да де та те бұл сол осы ол олар біз сіз сен үшін деп еді екен болып болды әлі тағы
        немесе бірақ себебі яғни сондай мұндай бойынша арқылы туралы дейін кейін қарай соң ғана ма ме ба бе
        па пе ше ғой оның оны оған одан мына міне енді соның осының мұның"""
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
    # -сыз/-сіз is not taken: in the press it is the privative (үйсіз "homeless", жұмыссыз), a word of its own.
    (("мын мін", "vowel"), ("пын пін", "voiceless"), ("бын бін", "voiced_consonant"), ("сың сің", "any")),
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
        ("ы і", "verbal_noun"),
        ("сы сі", "sy"),
        ("ымыз іміз", "consonant"),
        ("мыз міз", "vowel"),
    ),
    # Plural.
    (("лар лер", "plural_l"), ("дар дер", "plural_d"), ("тар тер", "voiceless")),
    # Derivational endings worth taking: алмалық -> алма, алмарақ -> алма. The voiced -лығ/-ліг is the same ending
    # before a possessive (орталығы, шаруашылығы): both forms of the word meet on one stem.
    (
        ("лық лік лығ ліг", "plural_l"),
        ("дық дік дығ діг", "plural_d"),
        ("тық тік тығ тіг", "voiceless"),
        ("ды ді", "after_yn"),
        # -ғы/-гі/-қы/-кі after a consonant (жылғы, соңғы, ішкі, кедергі): its ы went with the possessive step, so
        # the ғ is what is left (жылғ). After a vowel it is a voiced қ (аймағы = аймақ + ы) and stays.
        ("ғ г ғы гі", "voiced_letter"),  # the whole -ғы after a plural took the place of the possessive
        ("қ к қы кі", "voiceless"),  # -ынды/-інді nouns (қорытынды): the accusative reading of the bare form cuts -ды
        ("рақ рек", "vowel"),
        ("ырақ ірек", "consonant"),
    ),
)
_VERB_STEP = 0
_CASE_STEP = 3


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
    short_roots: frozenset[str] = frozenset()
    short_verb_roots: frozenset[str] = frozenset()
    lexical_derived: frozenset[str] = frozenset()
    vowel_drop: dict[str, str] | None = None
    u_letter: str = "у"
    protected_suffixes: tuple[str, ...] = PROTECTED_SUFFIXES
    i_letter: str = "и"
    ndy: tuple[str, ...] = ("нды", "нді")
    yn: tuple[str, ...] = ("ын", "ін")
    vowel_drop_suffix: tuple[str, str] = ("орн", "орын")
    step_texts: dict[int, tuple[str, ...]] = field(default_factory=dict)  # each step's endings, by id(step)

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
        if after == "voiced_letter":  # a voiced consonant proper: not the folded i and u (көлігі, түгі)
            return not vowel and last not in self.voiceless
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
            if not self.short_ok(before):
                return False
            return (
                (before[-1] in self.sy_consonant and before[-2] in self.vowels)
                or before[-1] in self.restore
                or before in self.n_final
                or before.endswith(self.n_final_suffix)
                or before.endswith(self.plurals)
                or self._dropped(before) != before
            )
        if after == "plural_l":  # -лар after vowels and р, й, у
            return vowel or last in self.l_plural_after
        if after == "plural_d":  # -дар after л and the other voiced consonants
            return consonant and last not in self.voiceless and last not in self.l_plural_after
        if after == "verbal_noun":  # the possessive of a verbal noun in -у after a consonant: салуы, өсуі
            # (and of су, ту: суы)
            return last == self.u_letter and (
                stem in self.short_roots or (len(stem) >= 3 and stem[-2] not in self.vowels)
            )
        if after == "sy":
            # -сы after a vowel only; a stem in -ы/-і takes it only as an agent noun (жазушысы): otherwise the
            # с belongs to the stem (облысы = облыс + ы, not облы + сы).
            # су, ту, ми take -ы (суы), not -сы: a root of two letters in у or и is never before -сы.
            if len(stem) < 3 and last in self.u_letter + self.i_letter:
                return False
            return vowel and (
                last not in self.high
                or stem.endswith(self.agent)
                or stem.endswith(self.ndy)
                or self.kept(stem)  # желісі, жалақысы: a protected word in -ы/-і takes -сы
            )
        if after == "after_yn":
            return stem.endswith(self.yn)
        raise ValueError(after)

    def __post_init__(self) -> None:
        self.step_texts = {id(step): tuple(e.text for e in step) for step in self.steps}

    def kept(self, word: str) -> bool:
        """A word kept whole: its ending only looks like a suffix."""
        # a compound has a word before the suffix: жалақы, not жақы (жақ + ы)
        return word in self.protected or (len(word) >= 6 and word.endswith(self.protected_suffixes))

    def restored(self, stem: str) -> str:
        """The stem with a final voiced ғ/г/б back to қ/к/п, as it stands without an ending."""
        last = stem[-1:]
        return stem[:-1] + self.restore[last] if last in self.restore else stem

    def _dropped(self, stem: str) -> str:
        """The full stem of a noun that dropped its last vowel (халқ -> халық), else the stem itself."""
        if self.vowel_drop and stem in self.vowel_drop:
            return self.vowel_drop[stem]
        short, full = self.vowel_drop_suffix
        return stem[: -len(short)] + full if stem.endswith(short) else stem

    def short_ok(self, stem: str, verb: bool = False) -> bool:
        """A stem long enough: three letters, or a known root of two (ел, үй; of a verb: ал, өт)."""
        return len(stem) >= 3 or self.restored(stem) in (self.short_verb_roots if verb else self.short_roots)

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


def _strip_step(word: str, step: tuple[_Ending, ...], rules: _Rules, verb: bool = False) -> tuple[str, _Ending | None]:
    if not word.endswith(rules.step_texts[id(step)]):
        return word, None  # one test in C for the whole step: most steps have nothing to take
    for ending in step:
        if not word.endswith(ending.text):
            continue
        rest = word[: -len(ending.text)]
        if not rules.short_ok(rest, verb) or not any(ch in rules.vowels for ch in rest):
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
    if len(word) <= MIN_STEM or rules.kept(word) or _n_final(word, rules) or not word.isalpha():
        return word
    current = word
    verb = nominal = False
    for index, step in enumerate(rules.steps):
        if rules.kept(current) or _n_final(current, rules):
            return current
        restored = rules.restored(current)
        if restored in rules.lexical_derived or restored in rules.protected:
            return restored  # барлығы -> барлық, жаңалығы -> жаңалық
        before = current
        current, ending = _strip_step(current, step, rules, index == _VERB_STEP)
        if ending is None:
            continue
        if index == _VERB_STEP:
            verb = True
            break  # a verb form: its remaining endings are not nominal ones
        nominal = True
        if index == _CASE_STEP and ending.text in rules.accusative_ny:
            # -ны after a vowel is the accusative (қала + ны) unless the stem is a known noun in -н whose
            # 3rd person possessive it is (аудан + ы).
            candidate = before[:-1]
            if candidate in rules.n_final or candidate.endswith(rules.n_final_suffix):
                current = candidate
    if rules.kept(current):
        return current
    if nominal and not verb:
        # A participle with nominal endings (алғанда, өткеннен): the participle goes too, as in алған -> ал.
        current = _strip_step(current, rules.steps[_VERB_STEP], rules, True)[0]
    # A stem never ends in the voiced ғ/г/б when a vowel followed it; normalising the final consonant always
    # (not only after a stripped ending) keeps клуб and клубы on one term.
    current = rules._dropped(rules.restored(current))
    # A verb's dictionary form (салу, ашу, ұйымдастыру) and its verbal noun: the -у after a consonant goes, so
    # that салу meets салды, салған, салады. After a vowel (жасау, Ақтау, тау) the у stays.
    u = rules.u_letter
    if current.endswith(u) and len(current) >= 3 and current[-2] not in rules.vowels:
        rest = current[:-1]
        if rules.short_ok(rest, True) and any(ch in rules.vowels for ch in rest):
            current = rules.restored(rest)
    return current


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
    consonant_like_vowels="у",  # after у the endings are a consonant's: айтудың, суы, тауы
    short_roots=SHORT_ROOTS,
    short_verb_roots=SHORT_VERB_ROOTS,
    lexical_derived=LEXICAL_DERIVED,
    vowel_drop=VOWEL_DROP,
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
            consonant_like_vowels="iu",
            protected_suffixes=tuple(fold_word(w) for w in PROTECTED_SUFFIXES),
            short_roots=frozenset(fold_word(w) for w in SHORT_ROOTS),
            short_verb_roots=frozenset(fold_word(w) for w in SHORT_VERB_ROOTS),
            lexical_derived=frozenset(fold_word(w) for w in LEXICAL_DERIVED),
            vowel_drop={fold_word(short): fold_word(full) for short, full in VOWEL_DROP.items()},
            u_letter="u",
            i_letter="i",
            ndy=("ndy", "ndi"),
            yn=("yn", "in"),
            vowel_drop_suffix=("orn", "oryn"),
        )
    return _FOLDED_RULES


@lru_cache(maxsize=200_000)
def stem_folded(word: str) -> str:
    """The stem of one word of the folded skeleton: stem_folded(fold_word("аймағында")) == "aimak"."""
    return _stem(word, _folded_rules())
