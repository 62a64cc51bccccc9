"""Region facet: ISO 3166-2:KZ regions and KATO districts named in a text, each with the spans that justify it.

Reads the generated gazetteer (gazetteer.json, built from KATO by scripts/build_gazetteer.py) into one stem
lexicon per script (Cyrillic folded, Latin skeleton). Each word is matched by stem + an inflection ending of
Russian or Kazakh (Туркестанской области, Түркістан облысында, Алматының), then the neighbouring place word
(область, облысы, район, ауданы, қаласы, село ...) decides between a region, a district and a town of the same
name. Traps are checked before a mention counts: names in quotes or followed by a company word are not places
(«Астана Моторс»), names followed by a surname are people (Алматы Серікова), bylines ("корреспондент по ...",
"... бойынша меншікті тілші") weigh a quarter of a story mention, and "Казахстан" alone is no region.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.facets.text import (
    KK,
    KK_PLACE_CASE,
    RU_ADJ,
    SHARED,
    Lexicon,
    Token,
    Tokens,
    fold,
    known,
    latin_fold,
    positions,
    ru_adj_stem,
    ru_noun_forms,
    sentence_start,
    tokenize,
    union,
)

GAZETTEER = Path(__file__).resolve().parent / "gazetteer.json"

TITLE_WEIGHT = 3.0
BYLINE_WEIGHT = 0.25
THRESHOLD = 1.0  # a region needs one story mention (or four bylines) to count
MAX_MENTIONS = 2000  # per text: enough to rank regions, bounded for pathological input
LONG_TEXT = 500  # characters from which a text is an article rather than a paragraph
LONG_SHARE = 0.4  # of the strongest region's score, for a region to count in an article

# Place words around a name. Values: what the name is then.
_GEO_NEXT = {"област": "region", "облыс": "region", "обл": "region", "регион": "region", "онир": "region",
             "район": "district", "аудан": "district", "кала": "city", "город": "city", "ауыл": "village",
             "кент": "village", "поселк": "village", "поселок": "village", "село": "village", "сел": "village",
             "ауылдык": "village", "kala": "city", "oblys": "region", "audan": "district",
             "auyl": "village"}  # fmt: skip
_GEO_PREV = {"област": "region", "район": "district", "город": "city", "г": "city", "гор": "city",
             "сел": "village", "с": "village", "поселк": "village", "поселок": "village", "пос": "village",
             "п": "village", "аул": "village", "станци": "village", "курорт": "village"}  # fmt: skip
_GEO_STEMS = {id(_GEO_NEXT): tuple(_GEO_NEXT), id(_GEO_PREV): tuple(_GEO_PREV)}
_RU_PLACE_PREP = {"в", "во", "из", "под", "до", "через"}
_COMPANY_WORDS = {
    "моторс", "motors", "групп", "group", "инвест", "invest", "холдинг", "holding", "банк", "bank", "энерго",
    "трейд", "trade", "строй", "сервис", "service", "экспресс", "express", "медиа", "media", "тв", "tv", "ойл",
    "oil", "газ", "телеком", "финанс", "finance", "лтд", "ltd", "арена", "сити", "плаза", "молл", "mall", "фм",
    "fm", "эйр", "air", "ресорт", "пласт", "агро", "фарм", "транс", "логистик", "капитал", "kapital", "capital",
}  # fmt: skip
_SURNAME_RE = re.compile(r"(ов|ев|ин|ова|ева|ина|овна|евна|ович|евич|улы|кызы|uly|kyzy|ovа)$")
_BYLINE_RE = re.compile(r"(корреспондент|корр\.|меншикти тилши|тилшиси|тилши)", re.I)


@dataclass(slots=True)
class Place:
    code: str
    kind: str  # region, city, district, town, centre
    region: str
    district: str
    context_only: bool
    ru: str
    kk: str
    en: str


@dataclass(slots=True)
class Form:
    place: int  # index into Gazetteer.places
    kind: str  # noun, adj, latin


@dataclass(slots=True)
class Gazetteer:
    places: list[Place] = field(default_factory=list)
    cyr: Lexicon[tuple[int, str]] = field(default_factory=Lexicon)
    lat: Lexicon[tuple[int, str]] = field(default_factory=Lexicon)
    multi: dict[str, list[tuple[tuple[str, ...], int, str]]] = field(default_factory=dict)
    abbr: dict[str, int] = field(default_factory=dict)
    abbr_keys: set[str] = field(default_factory=set)  # folded abbreviations: a quick test on a text's keys
    by_code: dict[str, Place] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)


def _add_name(gaz: Gazetteer, name: str, idx: int, kind: str, latin: bool = False) -> None:
    name = name.strip()
    if not name:
        return
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", name)
    if not words:
        return
    if latin:
        keys = [latin_fold(w) for w in words]
        lex = gaz.lat
        endings = _latin_endings()
        stem = keys[-1]
    else:
        keys = [fold(w) for w in words]
        lex = gaz.cyr
        if kind == "adj":
            stem, endings = ru_adj_stem(words[-1]), RU_ADJ
        else:
            stem, endings = ru_noun_forms(words[-1])
            # Kazakh endings on the full word, and Kazakh stem-final voicing (Ақсақ -> Ақсағы)
            lex_full = fold(words[-1])
            if len(words) == 1:
                lex.add(lex_full, KK, (idx, kind))
                if lex_full[-1] in "кп":
                    lex.add(lex_full[:-1] + {"к": "г", "п": "б"}[lex_full[-1]], KK, (idx, kind))
    if len(words) == 1:
        lex.add(stem, endings, (idx, kind))
    else:
        last = keys[-1]
        gaz.multi.setdefault(keys[0], []).append((tuple(keys[1:]), idx, kind))
        # the last word is checked separately with these endings
        _MULTI_ENDINGS[(latin, last)] = (stem, endings if latin or kind == "adj" else union(endings, KK))


_MULTI_ENDINGS: dict[tuple[bool, str], tuple[str, frozenset[str]]] = {}


@lru_cache(maxsize=1)
def _latin_endings() -> frozenset[str]:
    table = str.maketrans({"ы": "y", "и": "i", "а": "a", "е": "e", "н": "n", "д": "d", "т": "t", "г": "g",
                           "к": "k", "л": "l", "р": "r", "с": "s", "м": "m", "б": "b", "п": "p"})  # fmt: skip
    return frozenset(e.translate(table) for e in KK)


def _entries() -> dict[str, Any]:
    return dict(json.loads(GAZETTEER.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def places() -> tuple[list[Place], dict[str, Place]]:
    """The gazetteer's places, and the first place of each code: all that labels and parents need (the
    name lexicons of `gazetteer` are for finding places in text)."""
    fields = ("code", "kind", "region", "district", "context_only", "ru", "kk", "en")
    found = [Place(*(raw[f] for f in fields)) for raw in _entries()["entries"]]
    by_code: dict[str, Place] = {}
    for place in found:
        by_code.setdefault(place.code, place)
    return found, by_code


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    data = _entries()
    gaz = Gazetteer(source=data.get("source", {}))
    gaz.places, gaz.by_code = places()
    for idx, raw in enumerate(data["entries"]):
        if raw["ru_adj"]:
            _add_name(gaz, raw["ru_adj"], idx, "adj")
        if raw["ru"] and raw["ru"] != raw["ru_adj"]:
            _add_name(gaz, raw["ru"], idx, "noun")
        if raw["kk"]:
            _add_name(gaz, raw["kk"], idx, "noun")
            # Kazakh names typed in Russian are folded already; the Russian text also uses the Kazakh noun
            # for districts ("в Мактаарале"), which the same fold covers.
        for form in raw.get("latin", []):
            _add_name(gaz, form, idx, "noun", latin=True)
        for alias in raw.get("aliases", []):
            kind = alias["type"]
            if kind == "abbr":
                gaz.abbr[alias["form"]] = idx
                gaz.abbr_keys.add(fold(alias["form"]))
            elif kind == "latin":
                _add_name(gaz, alias["form"], idx, "noun", latin=True)
            elif kind in ("adj", "cityadj"):
                _add_name(gaz, alias["form"], idx, "cityadj" if kind == "cityadj" else "adj")
            else:
                _add_name(gaz, alias["form"], idx, "noun", latin=alias["form"].isascii())
    SHARED.join(gaz.cyr)
    return gaz


@dataclass(slots=True)
class Mention:
    place: Place
    start: int
    end: int
    weight: float
    candidates: list[Place] = field(default_factory=list)  # other readings when ambiguous


def _geo(token: Token | None, table: dict[str, str]) -> str:
    if token is None:
        return ""
    key = token.key
    if not key.startswith(_GEO_STEMS[id(table)]):
        return ""  # most neighbours are not place words: one C call decides
    for stem, what in table.items():
        if key.startswith(stem) and (len(key) - len(stem) <= 6 or stem in ("облыс", "аудан")):
            if stem in ("г", "с", "п", "обл", "пос", "гор", "сел") and key != stem:
                continue
            return what
    return ""


def _inside_quotes(text: str, start: int, end: int) -> bool:
    left = text.rfind("«", max(0, start - 80), start)
    if left >= 0 and text.find("»", left, start) < 0:
        right = text.find("»", end, end + 80)
        if right >= 0:
            return True
    line_start = text.rfind("\n", 0, start) + 1
    return text.count('"', line_start, start) % 2 == 1 and text.find('"', end, end + 80) >= 0


def _is_byline(text: str, start: int, end: int) -> bool:
    around = text[max(0, start - 40) : end + 45].lower()
    if "корр" not in around and "тілш" not in around and "тилш" not in around:
        return False
    window = text[max(0, start - 40) : start]
    cut = max(window.rfind("."), window.rfind("\n"), window.rfind("!"), window.rfind("?"))
    before = fold(window[cut + 1 :])
    after = fold(text[end : end + 45])
    return bool(_BYLINE_RE.search(before) or re.match(r"\W*(облыс\w*\s+)?бойынша\s+(меншикти\s+)?тилши", after))


_DATELINE_RE = re.compile(r"\s*(?:[.,]\s*[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]{3,}\b|\s*[–—]|\s*\()")


def _is_dateline(text: str, tok: Token, end: int) -> bool:
    """An agency dateline ("ASTANA. KAZINFORM –", "АЛМАТЫ —"): where the agency sits, not what the story is."""
    return tok.text.isupper() and len(tok.text) > 3 and _DATELINE_RE.match(text, end) is not None


_DERIVATION = ("лык", "лик", "дык", "дик", "тык", "тик")
# Rivers that name districts: "Ертісте" is on the river as often as in the district, so only a place word counts.
_RIVERS = frozenset({"ертис", "есил", "жайык", "шу", "талас", "сырдария", "иле", "нура", "тобыл", "келес", "арыс"})


def _derived(key: str, place: Place) -> bool:
    """A lower-case word made from the place's name with -лық/-лік ("шымкенттік", "алматылықтар")."""
    for name in (fold(place.kk), fold(place.ru)):
        if name and key.startswith(name) and key[len(name) :].startswith(_DERIVATION):
            return True
    return False


def _choose(cands: list[tuple[Place, str]], context: str, place_case: bool, at_start: bool) -> list[Place]:
    """Readings of one name given its place word: a region with "область", a district with "район" ..."""
    if context == "region":
        out = [p for p, k in cands if p.kind == "region"]
        if not out:
            out = [p for p, k in cands if p.kind == "city" and p.code.startswith("KZ-")]
        return out
    if context == "district":
        return [p for p, k in cands if p.kind == "district"] or [p for p, k in cands if p.kind == "city"]
    if context in ("city", "village"):
        ranked = [p for p, k in cands if p.kind == "city"] or [p for p, k in cands if p.kind == "town"]
        ranked = ranked or [p for p, k in cands if p.kind == "centre"]
        return ranked or [p for p, k in cands if p.kind == "district" and not p.context_only]
    # no place word: a city or a town by its noun; a region by an unambiguous name or Russian adjective
    nouns = [(p, k) for p, k in cands if (not p.context_only or place_case)]
    for kinds in (("city",), ("town",), ("region",)):
        out = [p for p, k in nouns if (p.kind in kinds and k in ("noun", "cityadj")) or (p.kind in kinds and kinds
               == ("region",) and k == "adj")]  # fmt: skip
        if out:
            return out
    # a district by its bare Kazakh name (Бурабай, Мақтаарал), not at a sentence start where any word is capital
    if not at_start:
        return [p for p, k in nouns if p.kind == "district" and k == "noun"]
    return []


def find_regions(text: str, title: str = "", tokens: Tokens | None = None) -> tuple[list[Mention], dict[str, float]]:
    """Mentions of places in `text` (spans into it) and the scores of title mentions by region code."""
    mentions = _scan(text, 1.0, tokens)
    title_scores: dict[str, float] = {}
    if title:
        for m in _scan(title, TITLE_WEIGHT):
            title_scores[m.place.region] = title_scores.get(m.place.region, 0.0) + TITLE_WEIGHT
            if m.place.kind in ("district", "town", "centre", "city") and m.place.district:
                title_scores[m.place.district] = title_scores.get(m.place.district, 0.0) + TITLE_WEIGHT
    return mentions, title_scores


def _scan(text: str, base: float, tokens: Tokens | None = None) -> list[Mention]:
    gaz = gazetteer()
    if tokens is None:
        tokens = tokenize(text)
    out: list[Mention] = []
    skip_until = -1
    n = len(tokens)
    # Only words the gazetteer knows are looked at closely (one dict read per word).
    keys, keyset = tokens.keys, tokens.keyset
    multi, abbrs = gaz.multi, gaz.abbr
    if tokens.latin:
        lat_keys = {keys[i] for i in tokens.latin_at}
        known(gaz.lat, lat_keys)
        known(gaz.cyr, keyset)
        hits = (lat_keys & gaz.lat.hits) | ((keyset - lat_keys) & gaz.cyr.hits)
    else:
        known(gaz.cyr, keyset)
        hits = keyset & gaz.cyr.hits
    hits |= keyset & multi.keys()
    candidates = positions(keys, hits)
    abbr_at: list[int] = []
    if any(abbr in text for abbr in abbrs):
        abbr_keys = gaz.abbr_keys
        abbr_at = [i for i, k in enumerate(keys) if k[:3] in abbr_keys and tokens[i].text[:3] in abbrs]
    if abbr_at:
        candidates = sorted(set(candidates) | set(abbr_at))
    starts, ends = tokens.starts, tokens.ends
    for i in candidates:
        if i < skip_until:
            continue
        if len(out) >= MAX_MENTIONS:
            break
        key = keys[i]
        if (
            not text[starts[i]].isupper()
            and "ск" not in key[-6:]
            and not any(d in key for d in _DERIVATION)
            and text[starts[i] : ends[i]].split("-", 1)[0] not in abbrs
        ):
            continue  # what the first-letter test below refuses, told before a `Token` is made (most candidates)
        tok = tokens[i]
        cands: list[tuple[Place, str]] = []
        last = i
        place_case = False
        abbr = tok.text.split("-", 1)[0]  # "ШҚО-да": an abbreviation with a Kazakh ending
        if abbr in gaz.abbr:
            cands = [(gaz.places[gaz.abbr[abbr]], "noun")]
        else:
            # a name is capitalised; lower case only for adjectives (карагандинские, шымкенттіктер)
            first_ok = tok.upper or "ск" in tok.key[-6:] or any(d in tok.key for d in _DERIVATION)
            if not first_ok:
                continue
            lex = gaz.lat if tok.latin else gaz.cyr
            found = lex.lookup(tok.key)
            # Multi-word names: Батыс Қазақстан, Тұрар Рысқұлов.
            for rest, idx, kind in gaz.multi.get(tok.key, ()):
                j = i + 1
                ok = True
                for k, want in enumerate(rest):
                    if j + k >= n or text[tokens[j + k - 1].end : tokens[j + k].start].strip():
                        ok = False
                        break
                    word = tokens[j + k].key
                    if k == len(rest) - 1:
                        stem, endings = _MULTI_ENDINGS.get((tok.latin, want), (want, frozenset({""})))
                        if not (word.startswith(stem) and word[len(stem) :] in endings):
                            ok = False
                    elif word != want:
                        ok = False
                if ok:
                    cands.append((gaz.places[idx], kind))
                    last = max(last, i + len(rest))
            if last == i:
                cands.extend((gaz.places[idx], kind) for idx, kind in found)
            if not cands:
                continue
            if not tok.upper and any(k == "noun" for _, k in cands):
                # lower-case words are only adjectives (карагандинские, шымкенттік) never names
                # ("шымкенттік" is Shymkent + -тік; "қарабалық", a fish, is no derivation of Қарабалық)
                cands = [(p, k) for p, k in cands if k != "noun" or _derived(tok.key, p)]
                if not cands:
                    continue
            end_tok = tokens[last]
            for p, _k in cands:
                base_key = fold(p.kk)
                if (
                    end_tok.key.startswith(base_key)
                    and end_tok.key[len(base_key) :] in KK_PLACE_CASE
                    and base_key not in _RIVERS
                ):
                    place_case = True
            if i > 0 and tokens[i - 1].key in _RU_PLACE_PREP:
                place_case = True
        nxt = tokens[last + 1] if last + 1 < n else None
        prv = tokens[i - 1] if i > 0 else None
        context = _geo(nxt, _GEO_NEXT)
        if nxt is not None and text[tokens[last].end : nxt.start].strip(" \u00a0") not in ("", ".", ","):
            context = ""  # "Алматы: облыс ..." is not "Алматы облысы"
        if not context:
            context = _geo(prv, _GEO_PREV)
            if prv is not None and text[prv.end : tok.start].strip(" \u00a0.") != "":
                context = ""
        start, end = tok.start, tokens[last].end
        if not context:
            # traps: a company name, a person, a name in quotes
            if nxt is not None and (nxt.key in _COMPANY_WORDS or nxt.key.rstrip("ы") in _COMPANY_WORDS):
                continue
            if nxt is not None and nxt.upper and _SURNAME_RE.search(nxt.key) and not sentence_start(text, nxt.start):
                continue
            if (
                prv is not None
                and prv.upper
                and _SURNAME_RE.search(prv.key)
                and not sentence_start(text, prv.start)
                and not text[prv.end : tok.start].strip()
            ):
                continue
            if _inside_quotes(text, start, end):
                continue
        # At a sentence start any word is capitalised; a Kazakh case ending ("Бурабайға") still shows a name.
        bare = all(tokens[last].key == fold(p.kk) for p, _k in cands)
        chosen = _choose(cands, context, place_case, bare and sentence_start(text, start))
        if not chosen:
            continue
        weight = base * (BYLINE_WEIGHT if _is_byline(text, start, end) or _is_dateline(text, tok, end) else 1.0)
        if len({p.region for p in chosen}) == 1:
            # one region; among several places of it prefer the most specific with a district
            best = next((p for p in chosen if p.district), chosen[0]) if context == "district" else chosen[0]
            out.append(Mention(best, start, end, weight))
        else:
            out.append(Mention(chosen[0], start, end, weight, candidates=chosen))
        skip_until = last + 1
    return out


def resolve(
    mentions: list[Mention], title_scores: dict[str, float], text_len: int = 0
) -> tuple[list[tuple[str, float]], dict[str, list[Mention]]]:
    """Scores by code (regions and district KATO codes), ambiguous names settled by the unambiguous regions."""
    sure = {m.place.region for m in mentions if not m.candidates} | {c for c in title_scores if c.startswith("KZ-")}
    scores: dict[str, float] = dict(title_scores)
    spans: dict[str, list[Mention]] = {}
    for m in mentions:
        place = m.place
        if m.candidates:
            fits = [p for p in m.candidates if p.region in sure]
            if len({p.region for p in fits}) != 1:
                continue
            place = fits[0]
        codes = [place.region]
        if place.district and place.kind != "region" and place.district != place.region:
            codes.append(place.district)
        for code in codes:
            scores[code] = scores.get(code, 0.0) + m.weight
            spans.setdefault(code, []).append(m)
    # In an article (not a paragraph) a region named once beside the story's own ("patients go to Astana")
    # is not what it is about: keep regions with a share of the strongest one's score.
    top = max((s for c, s in scores.items() if c.startswith("KZ-")), default=0.0)
    floor = max(THRESHOLD, LONG_SHARE * top) if text_len >= LONG_TEXT else THRESHOLD
    kept = {c for c, s in scores.items() if c.startswith("KZ-") and s >= floor}
    ranked = sorted(
        ((c, s) for c, s in scores.items() if s >= THRESHOLD and (c in kept or (region_of(c) in kept))),
        key=lambda cs: (not cs[0].startswith("KZ-"), -cs[1], cs[0]),
    )
    return ranked, spans


def region_of(code: str) -> str | None:
    """The KZ-xx region of a district KATO code (None for an unknown code)."""
    by_code = places()[1]
    if code.startswith("KZ-"):
        return code if code in by_code else None
    place = by_code.get(code)
    return place.region if place else None
