"""The synthetic corpus of the benchmark: N articles that look like the regional press to an index.

The generated text is word salad, not sentences: tokens from our own demo texts (and, when
../shared/data is present, the frequency ranks of its real news text, never its sentences) are
recombined with a Zipf distribution, over a vocabulary that grows with the corpus as Heaps' law says
(V = K * T^beta for T running words). Inflected forms are added by Kazakh and Russian suffixes on real
stems, so the index sees the morphology it meets in real text. Facets follow realistic shapes: regions by
population (with KATO districts), OKED sectors, 50 outlets, dates over 15 years with growth, log-normal
amounts in tenge and a few currencies, a few percent reprints. The place names and amounts are written
into the text, so the enrichment of `index.ingest.to_record` finds them as it would in real articles.

It sits before everything else in the benchmark: `bench.run` reads the JSONL written here and turns each
line into a `crawler.models.Article` (full analysis path) or an `index.models.Record` (facts as generated).
Generated files never enter git: they go under bench/out/ (git-ignored) or a temporary folder.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench import SHARED_DATA
from crawler.models import Article, Paragraph, article_id
from index.models import Amount, Record

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONTENT = ROOT / "searchapp" / "demo" / "content"
FACETS_DIR = ROOT / "index" / "facets"

ARTICLES_FILE = "articles.jsonl"
MANIFEST_FILE = "manifest.json"

# Heaps' law per language: V = HEAPS_K * T^HEAPS_BETA distinct word forms after T running words.
HEAPS_K = 30.0
HEAPS_BETA = 0.5
ZIPF_S = 1.0
WORDS_MIN, WORDS_MAX = 300, 800
REPRINT_SHARE = 0.03
# Each article has a topic: TOPIC_SIZE content words (ranks past the function words) that make up TOPIC_SHARE of
# its running words. Articles drawn from one Zipf distribution alone are all alike to SimHash (their majority
# bits converge), and every article grouped as a reprint of every other: 93% of 10k in groups of up to 4,150.
# With topics, the pairwise SimHash distance of the bench corpus is like real news text: mean 29 bits over 600
# generated articles and no pair within 8 bits but reprints; 30 bits over 700 articles of ../shared/data.
TOPIC_SIZE, TOPIC_SHARE, TOPIC_FROM_RANK = 60, 0.35, 200
GENERATOR = 2  # written into the manifest: a corpus of an older generator is made again (bench.run)
FIRST_YEAR, LAST_YEAR = 2011, 2025

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)

# ISO 3166-2:KZ code (= the KATO prefix), Russian and Kazakh names, population in thousands (2024, stat.gov.kz,
# rounded): the weights of the region facet.
REGIONS: tuple[tuple[str, str, str, int], ...] = (
    ("KZ-10", "область Абай", "Абай облысы", 607),
    ("KZ-11", "Акмолинская область", "Ақмола облысы", 786),
    ("KZ-15", "Актюбинская область", "Ақтөбе облысы", 935),
    ("KZ-19", "Алматинская область", "Алматы облысы", 1528),
    ("KZ-23", "Атырауская область", "Атырау облысы", 700),
    ("KZ-27", "Западно-Казахстанская область", "Батыс Қазақстан облысы", 693),
    ("KZ-31", "Жамбылская область", "Жамбыл облысы", 1215),
    ("KZ-33", "область Жетісу", "Жетісу облысы", 698),
    ("KZ-35", "Карагандинская область", "Қарағанды облысы", 1131),
    ("KZ-39", "Костанайская область", "Қостанай облысы", 829),
    ("KZ-43", "Кызылординская область", "Қызылорда облысы", 836),
    ("KZ-47", "Мангистауская область", "Маңғыстау облысы", 771),
    ("KZ-55", "Павлодарская область", "Павлодар облысы", 750),
    ("KZ-59", "Северо-Казахстанская область", "Солтүстік Қазақстан облысы", 532),
    ("KZ-61", "Туркестанская область", "Түркістан облысы", 2110),
    ("KZ-62", "область Ұлытау", "Ұлытау облысы", 221),
    ("KZ-63", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы", 728),
    ("KZ-71", "Астана", "Астана", 1423),
    ("KZ-75", "Алматы", "Алматы", 2229),
    ("KZ-79", "Шымкент", "Шымкент", 1222),
)

# A few districts when no gazetteer is at hand (KATO codes and names from the KATO classifier).
_FALLBACK_DISTRICTS: tuple[tuple[str, str, str], ...] = (
    ("103200000", "Абайский район", "Абай ауданы"),
    ("113400000", "Аршалынский район", "Аршалы ауданы"),
    ("553600000", "Экибастуз Г.А.", "Екібастұз Қ.Ә."),
    ("615600000", "Сайрамский район", "Сайрам ауданы"),
    ("354400000", "Бухар-Жырауский район", "Бұқар жырау ауданы"),
)

# OKED sections with a rough weight in regional news and a few divisions each, with words that mark them.
SECTORS: tuple[tuple[str, float, tuple[str, ...], tuple[str, str]], ...] = (
    ("A", 12, ("A01", "A02", "A03"), ("егін", "урожай")),
    ("B", 8, ("B05", "B06", "B07", "B08"), ("кен", "месторождение")),
    ("C", 14, ("C10", "C20", "C23", "C24", "C25", "C29"), ("зауыт", "завод")),
    ("D", 7, ("D35",), ("электр", "электростанция")),
    ("E", 3, ("E36", "E38"), ("су", "водоснабжение")),
    ("F", 9, ("F41", "F42"), ("құрылыс", "строительство")),
    ("G", 6, ("G46", "G47"), ("сауда", "торговля")),
    ("H", 8, ("H49", "H50", "H51", "H52"), ("жол", "дорога")),
    ("I", 3, ("I55", "I56"), ("туризм", "туризм")),
    ("J", 5, ("J61", "J62"), ("байланыс", "связь")),
    ("K", 6, ("K64", "K65"), ("банк", "банк")),
    ("L", 3, ("L68",), ("пәтер", "жильё")),
    ("M", 2, ("M71", "M72"), ("ғылым", "наука")),
    ("O", 8, ("O84",), ("әкімдік", "акимат")),
    ("P", 6, ("P85",), ("мектеп", "школа")),
    ("Q", 6, ("Q86", "Q87"), ("аурухана", "больница")),
    ("R", 3, ("R90", "R93"), ("спорт", "спорт")),
)

COUNTRIES: tuple[tuple[str, str, str, float], ...] = (
    ("CN", "Китай", "Қытай", 30),
    ("RU", "Россия", "Ресей", 30),
    ("UZ", "Узбекистан", "Өзбекстан", 12),
    ("TR", "Турция", "Түркия", 10),
    ("KR", "Корея", "Корея", 6),
    ("DE", "Германия", "Германия", 5),
    ("AE", "ОАЭ", "БАӘ", 4),
    ("KG", "Кыргызстан", "Қырғызстан", 3),
)

# Currency, share of amounts, tenge per unit (yearly averages rounded; National Bank of Kazakhstan), text forms.
CURRENCIES: tuple[tuple[str, float, float, str, str], ...] = (
    ("KZT", 0.80, 1.0, "тенге", "теңге"),
    ("USD", 0.12, 450.0, "долларов", "доллар"),
    ("EUR", 0.03, 500.0, "евро", "еуро"),
    ("RUB", 0.03, 5.5, "рублей", "рубль"),
    ("CNY", 0.02, 65.0, "юаней", "юань"),
)

# Suffixes that grow the vocabulary of inflected forms from real stems.
_KK_BACK = ("дың", "ға", "да", "дан", "мен", "лар", "лардың", "ларға", "ы", "сы", "ын", "ымыз", "дағы", "ларда")
_KK_FRONT = ("дің", "ге", "де", "ден", "мен", "лер", "лердің", "лерге", "і", "сі", "ін", "іміз", "дегі", "лерде")
_RU_ENDINGS: tuple[str, ...] = ("а", "у", "ом", "ой", "ы", "ов", "ами", "ах", "е", "ий", "ого", "ому", "ым", "ых")
_RU_ENDINGS += ("ая", "ую", "ое", "ие", "ть", "ет", "ют", "ил", "ила", "ено", "ости", "ание", "ания", "ской", "ские")
_KK_SYLLABLES = ("қа", "жар", "бек", "тал", "ай", "сар", "құм", "ел", "тау", "бұл", "дала", "өз", "кен", "ұл", "ші")
_RU_SYLLABLES = ("ка", "ров", "ин", "ско", "ла", "ми", "ток", "вер", "на", "ель", "гра", "до", "пол", "ст", "ник")
_KK_BACK_VOWELS = set("аоұы")


@dataclass(slots=True)
class Vocabulary:
    """One language's word forms, most frequent first: index = Zipf rank - 1."""

    lang: str
    words: list[str]
    real: int  # how many of the first words come from real text (the rest are generated forms)
    _cdf: np.ndarray | None = field(default=None, repr=False)

    def sampler(self) -> np.ndarray:
        if self._cdf is None:
            weights = 1.0 / np.power(np.arange(1, len(self.words) + 1, dtype=np.float64), ZIPF_S)
            cdf = np.cumsum(weights)
            self._cdf = cdf / cdf[-1]
        return self._cdf


@dataclass(slots=True)
class Gazetteer:
    regions: list[tuple[str, str, str, int]]
    districts: dict[str, list[tuple[str, str, str]]]  # region code -> [(KATO, ru, kk)]


def heaps_size(tokens: int) -> int:
    """Distinct word forms after `tokens` running words of one language."""
    return max(2000, int(HEAPS_K * tokens**HEAPS_BETA))


def _tokens(text: str) -> Iterator[str]:
    for match in _WORD.finditer(text):
        word = match.group(0).lower()
        if _CYRILLIC.search(word):
            yield word


def _demo_counts() -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {"kk": Counter(), "ru": Counter()}
    for path in sorted(DEMO_CONTENT.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            item = json.loads(line)
            lang = item.get("lang")
            if lang not in counts:
                continue
            for part in [item.get("title", ""), item.get("lead", ""), *item.get("paragraphs", [])]:
                counts[lang].update(_tokens(part))
    return counts


def _shared_counts() -> dict[str, Counter[str]]:
    """Token frequencies of the real news text in ../shared/data: only counts are kept, never sentences."""
    counts: dict[str, Counter[str]] = {"kk": Counter(), "ru": Counter()}
    if not SHARED_DATA.is_dir():
        return counts
    for name in ("ru/tengrinews.jsonl", "ru/zakon.jsonl", "ru/agencies.jsonl"):
        path = SHARED_DATA / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").split("\n"):
                if line.strip():
                    item = json.loads(line)
                    counts["ru"].update(_tokens(f"{item.get('title', '')} {item.get('text', '')}"))
    path = SHARED_DATA / "kk" / "kaznerd-valid.jsonl"
    if path.exists():
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                counts["kk"].update(_tokens(json.loads(line).get("text", "")))
    return counts


def _lexicon_words() -> set[str]:
    """Cyrillic words of our own lexicons and gazetteer in index/facets/, when that package has data files."""
    words: set[str] = set()
    if not FACETS_DIR.is_dir():
        return words
    for path in sorted(FACETS_DIR.rglob("*")):
        if path.suffix in {".tsv", ".csv", ".json", ".txt", ".toml"} and path.stat().st_size < 20_000_000:
            words.update(_tokens(path.read_text(encoding="utf-8", errors="replace")))
    return words


def _kk_forms(stem: str) -> Iterator[str]:
    back = any(ch in _KK_BACK_VOWELS for ch in stem[-3:])
    for suffix in _KK_BACK if back else _KK_FRONT:
        yield stem + suffix


def _ru_forms(word: str) -> Iterator[str]:
    stem = word[:-2] if len(word) > 6 else word[:-1] if len(word) > 4 else word
    for ending in _RU_ENDINGS:
        yield stem + ending


_EXHAUSTED = 10_000  # draws in a row that only found words already made


def build_vocabulary(lang: str, size: int, rng: np.random.Generator, sources: dict[str, Any]) -> Vocabulary:
    """`size` word forms for `lang`: real tokens by frequency, then inflected forms of them, then made-up names."""
    counts: Counter[str] = Counter()
    counts.update(sources["shared"][lang])
    # Demo texts are ours and few: weight them so their words join the head of the distribution.
    for word, n in sources["demo"][lang].items():
        counts[word] += n * 3
    real = [w for w, _ in counts.most_common()]
    seen = set(real)
    lexicon = [w for w in sorted(sources["lexicon"]) if w not in seen]
    seen.update(lexicon)
    words = real + lexicon
    if len(words) < size:
        make = _kk_forms if lang == "kk" else _ru_forms
        bases = [w for w in real if len(w) >= 4][:20000]
        forms: list[str] = []
        for base in bases:
            for form in make(base):
                if form not in seen:
                    seen.add(form)
                    forms.append(form)
        order = rng.permutation(len(forms))
        words += [forms[i] for i in order[: size - len(words)]]
    syllables = _KK_SYLLABLES if lang == "kk" else _RU_SYLLABLES
    shortest, longest = 2, 5
    misses = 0
    while len(words) < size:
        # Rare names and coinages: the long tail real archives are full of.
        picks = rng.integers(0, len(syllables), size=int(rng.integers(shortest, longest)))
        word = "".join(syllables[i] for i in picks)
        if word not in seen:
            seen.add(word)
            words.append(word)
            misses = 0
        else:
            misses += 1
            if misses > _EXHAUSTED:
                # Every short coinage is taken (a million articles want some 500k words per language, and
                # 2-4 syllables make 54k): longer ones from here on. Smaller corpora never get here.
                shortest, longest, misses = longest, longest + 3, 0
    words = words[:size]
    return Vocabulary(lang=lang, words=words, real=min(len(real), size))


def load_gazetteer() -> Gazetteer:
    """Regions (built in) and KATO districts from the shared classifier when present, else a few built in."""
    districts: dict[str, list[tuple[str, str, str]]] = {code: [] for code, *_ in REGIONS}
    kato = SHARED_DATA / "gazetteer" / "kato.csv"
    rows: list[tuple[str, str, str]] = []
    if kato.exists():
        with kato.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["level"] == "district":
                    rows.append((row["kato"], row["name_ru"], row["name_kk"]))
    if not rows:
        rows = list(_FALLBACK_DISTRICTS)
    for code, ru, kk in rows:
        region = f"KZ-{code[:2]}"
        if region in districts:
            districts[region].append((code, ru, kk))
    return Gazetteer(regions=list(REGIONS), districts=districts)


@dataclass(slots=True)
class CorpusSpec:
    n: int
    seed: int = 1


class Generator:
    """Deterministic for a given (n, seed): the same articles in the same order."""

    def __init__(self, spec: CorpusSpec) -> None:
        self.spec = spec
        self.rng = np.random.default_rng(spec.seed)
        sources = {"demo": _demo_counts(), "shared": _shared_counts(), "lexicon": _lexicon_words()}
        tokens_per_lang = spec.n * (WORDS_MIN + WORDS_MAX) // 4
        size = heaps_size(tokens_per_lang)
        self.vocab = {lang: build_vocabulary(lang, size, self.rng, sources) for lang in ("kk", "ru")}
        self.gazetteer = load_gazetteer()
        self.outlets = self._outlets()
        pops = np.array([r[3] for r in self.gazetteer.regions], dtype=np.float64)
        self.region_p = pops / pops.sum()
        sector_w = np.array([s[1] for s in SECTORS], dtype=np.float64)
        self.sector_p = sector_w / sector_w.sum()
        country_w = np.array([c[3] for c in COUNTRIES], dtype=np.float64)
        self.country_p = country_w / country_w.sum()
        self.currency_p = np.array([c[1] for c in CURRENCIES])
        # More articles in later years: archives grow as outlets go online.
        years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
        year_w = np.exp(0.15 * (years - FIRST_YEAR))
        self.years = years
        self.year_p = year_w / year_w.sum()
        self.outlet_p = self._zipf_weights(len(self.outlets), 0.8)

    @staticmethod
    def _zipf_weights(n: int, s: float) -> np.ndarray:
        w = 1.0 / np.power(np.arange(1, n + 1, dtype=np.float64), s)
        return w / w.sum()

    def _outlets(self) -> list[tuple[str, str, str]]:
        """50 outlets: host name, language mix (kk, ru or both), home region."""
        outlets = []
        for i in range(50):
            region = REGIONS[i % len(REGIONS)][0]
            mix = ("kk", "ru", "both")[i % 3]
            outlets.append((f"outlet{i:02d}.{region[3:]}.kz", mix, region))
        return outlets

    def _topic(self, lang: str) -> list[str]:
        words = self.vocab[lang].words
        start = min(TOPIC_FROM_RANK, max(len(words) - TOPIC_SIZE, 0))
        picks = self.rng.integers(start, len(words), size=TOPIC_SIZE)
        return [words[int(r)] for r in picks]

    def _words(self, lang: str, count: int, topic: list[str] | None = None) -> list[str]:
        vocab = self.vocab[lang]
        ranks = np.searchsorted(vocab.sampler(), self.rng.random(count))
        words = vocab.words
        out = [words[min(r, len(words) - 1)] for r in ranks]
        if topic:
            chosen = np.flatnonzero(self.rng.random(count) < TOPIC_SHARE)
            weights = self._zipf_weights(len(topic), 1.0)
            picks = self.rng.choice(len(topic), size=len(chosen), p=weights)
            for i, k in zip(chosen.tolist(), picks.tolist(), strict=True):
                out[i] = topic[k]
        return out

    def _amount(self, lang: str, year: int) -> tuple[dict[str, Any], str]:
        cur = CURRENCIES[int(self.rng.choice(len(CURRENCIES), p=self.currency_p))]
        code, _, rate, ru_word, kk_word = cur
        # Log-normal in tenge: median ~ 500 million, spanning thousands to trillions.
        kzt = float(np.exp(self.rng.normal(math.log(5e8), 2.5)))
        value = kzt / rate
        if value >= 1e9:
            num, unit = value / 1e9, ("млрд" if lang == "ru" else "миллиард")
        elif value >= 1e6:
            num, unit = value / 1e6, ("млн" if lang == "ru" else "миллион")
        else:
            num, unit = value / 1e3, ("тыс." if lang == "ru" else "мың")
        num = round(num, 1)
        scale = {"млрд": 1e9, "миллиард": 1e9, "млн": 1e6, "миллион": 1e6, "тыс.": 1e3, "мың": 1e3}[unit]
        number = f"{num:g}".replace(".", ",")
        text = f"{number} {unit} {ru_word if lang == 'ru' else kk_word}"
        value = num * scale
        return {"value": value, "currency": code, "kzt": value * rate, "text": text}, text

    def articles(self) -> Iterator[dict[str, Any]]:
        """The corpus, one JSON-ready dict per article (see `to_article` and `to_record`)."""
        originals: list[dict[str, Any]] = []
        for i in range(self.spec.n):
            if originals and self.rng.random() < REPRINT_SHARE:
                yield self._reprint(i, originals[int(self.rng.integers(0, len(originals)))])
                continue
            item = self._article(i)
            if len(originals) < 5000:
                originals.append(item)
            elif self.rng.random() < 0.05:
                originals[int(self.rng.integers(0, len(originals)))] = item
            yield item

    def _article(self, i: int) -> dict[str, Any]:
        rng = self.rng
        host, mix, home = self.outlets[int(rng.choice(len(self.outlets), p=self.outlet_p))]
        lang = mix if mix != "both" else ("kk" if rng.random() < 0.5 else "ru")
        year = int(rng.choice(self.years, p=self.year_p))
        month, day, hour, minute = (int(rng.integers(lo, hi)) for lo, hi in ((1, 13), (1, 29), (7, 22), (0, 60)))
        published = f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}"
        # Regions: the outlet's home region half the time, else by population; a district in a third.
        regions: list[str] = []
        names: list[str] = []
        n_regions = int(rng.choice([0, 1, 1, 1, 2, 2, 3]))
        for _ in range(n_regions):
            if rng.random() < 0.5:
                code = home
            else:
                code = self.gazetteer.regions[int(rng.choice(len(self.gazetteer.regions), p=self.region_p))][0]
            if code in regions:
                continue
            reg = next(r for r in self.gazetteer.regions if r[0] == code)
            regions.append(code)
            names.append(reg[1] if lang == "ru" else reg[2])
            districts = self.gazetteer.districts.get(code) or []
            if districts and rng.random() < 0.35:
                d = districts[int(rng.integers(0, len(districts)))]
                regions.append(d[0])
                names.append(d[1] if lang == "ru" else d[2])
        sectors: list[str] = []
        for _ in range(int(rng.choice([0, 1, 1, 2]))):
            sec = SECTORS[int(rng.choice(len(SECTORS), p=self.sector_p))]
            if sec[0] not in sectors:
                sectors.append(sec[0])
                names.append(sec[3][0] if lang == "kk" else sec[3][1])
                if rng.random() < 0.6:
                    sectors.append(sec[2][int(rng.integers(0, len(sec[2])))])
        countries: list[str] = []
        if rng.random() < 0.25:
            c = COUNTRIES[int(rng.choice(len(COUNTRIES), p=self.country_p))]
            countries.append(c[0])
            names.append(c[1] if lang == "ru" else c[2])
        amounts = []
        for _ in range(int(rng.choice([0, 0, 1, 1, 2, 3]))):
            amount, text = self._amount(lang, year)
            amounts.append(amount)
            names.append(text)
        total = int(rng.integers(WORDS_MIN, WORDS_MAX + 1))
        topic = self._topic(lang)
        words = self._words(lang, total, topic)
        # Mentions go in at random places: word salad around real names, as enrichment will see them.
        for name in names:
            words.insert(int(rng.integers(0, len(words) + 1)), name)
        paragraphs: list[str] = []
        pos = 0
        while pos < len(words):
            size = int(rng.integers(40, 121))
            chunk = words[pos : pos + size]
            pos += size
            paragraphs.append(" ".join(chunk).capitalize() + ".")
        title_words = self._words(lang, int(rng.integers(5, 12)), topic)
        if names and rng.random() < 0.5:
            title_words.insert(0, names[0])
        title = " ".join(title_words).capitalize()
        lead = " ".join(self._words(lang, int(rng.integers(12, 30)), topic)).capitalize() + "."
        url = f"https://{host}/news/{year}/{i:08d}.html"
        return {
            "id": article_id(url),
            "url": url,
            "source": host,
            "title": title,
            "lead": lead,
            "paragraphs": paragraphs,
            "lang": lang,
            "published": published,
            "regions": regions,
            "sectors": sectors,
            "countries": countries,
            "amounts": amounts,
            "group_id": "",
        }

    def _reprint(self, i: int, original: dict[str, Any]) -> dict[str, Any]:
        host = self.outlets[int(self.rng.integers(0, len(self.outlets)))][0]
        url = f"https://{host}/news/reprint/{i:08d}.html"
        item = dict(original)
        item.update(
            id=article_id(url),
            url=url,
            source=host,
            title=original["title"] + (" — жаңалық" if original["lang"] == "kk" else " — новости"),
            paragraphs=[*original["paragraphs"], "Дереккөз." if original["lang"] == "kk" else "Источник."],
            group_id=original["group_id"] or original["id"],
        )
        return item


def to_article(item: dict[str, Any]) -> Article:
    """A generated line as the crawler would hand it over: for the full-analysis indexing path."""
    lang = item["lang"]
    return Article(
        url=item["url"],
        source=item["source"],
        title=item["title"],
        paragraphs=[Paragraph(text=p, lang=lang) for p in item["paragraphs"]],
        lang=lang,
        lead=item["lead"],
        published=item["published"],
        fetched_at=(item["published"] or "2025-01-01")[:10] + "T00:00:00Z",
    )


def to_record(item: dict[str, Any]) -> Record:
    """A generated line as a Record with its facts as generated (no enrichment run)."""
    lang = item["lang"]
    return Record(
        id=item["id"],
        url=item["url"],
        source=item["source"],
        title=item["title"],
        lead=item["lead"],
        text="\n\n".join(item["paragraphs"]),
        lang=lang,
        published=item["published"],
        paragraph_langs=[lang] * len(item["paragraphs"]),
        regions=list(item["regions"]),
        sectors=list(item["sectors"]),
        countries=list(item["countries"]),
        amounts=[Amount(a["value"], a["currency"], a["kzt"], a["text"]) for a in item["amounts"]],
        group_id=item["group_id"],
    )


def text_bytes(item: dict[str, Any]) -> int:
    """The article text an index has to hold: title, lead and body in UTF-8."""
    return (
        len(item["title"].encode()) + len(item["lead"].encode()) + sum(len(p.encode()) + 2 for p in item["paragraphs"])
    )


def write_corpus(spec: CorpusSpec, out: Path, progress: Any = None) -> dict[str, Any]:
    """Write articles.jsonl and manifest.json into `out`; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    gen = Generator(spec)
    size = 0
    count = 0
    langs: Counter[str] = Counter()
    with (out / ARTICLES_FILE).open("w", encoding="utf-8") as fh:
        for item in gen.articles():
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            size += text_bytes(item)
            count += 1
            langs[item["lang"]] += 1
            if progress is not None:
                progress.advance()
    manifest = {
        "n": count,
        "seed": spec.seed,
        "generator": GENERATOR,
        "text_bytes": size,
        "langs": dict(langs),
        "vocabulary": {lang: len(v.words) for lang, v in gen.vocab.items()},
        "vocabulary_real": {lang: v.real for lang, v in gen.vocab.items()},
        "heaps": {"k": HEAPS_K, "beta": HEAPS_BETA},
        "zipf_s": ZIPF_S,
        "shared_data": SHARED_DATA.is_dir(),
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    return data


def read_items(folder: Path) -> Iterator[dict[str, Any]]:
    with (folder / ARTICLES_FILE).open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def vocabulary_sample(items: Iterable[dict[str, Any]], limit: int = 2000) -> dict[str, Counter[str]]:
    """Word frequencies per language of the first `limit` articles: for building the query mix."""
    counts: dict[str, Counter[str]] = {"kk": Counter(), "ru": Counter()}
    for n, item in enumerate(items):
        if n >= limit:
            break
        for part in item["paragraphs"]:
            counts[item["lang"]].update(_tokens(part))
    return counts
