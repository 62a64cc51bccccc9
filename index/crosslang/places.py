"""Place names in both languages from the gazetteer (index/facets/gazetteer.json), for query translation.

Every name of a place — Russian, Russian adjective, Kazakh, Latin, old names (Семипалатинск, Джамбул,
Нур-Султан) — is a way to recognise it in a query, in any case form: each name is analysed with an inflection
ending of each language added (Өскеменде, Усть-Каменогорске, Туркестанской, Семейдегі), by both language
analyzers, and every resulting stem sequence points to the place. A recognised place is searched by its names
in the other language (and its other names in the same one), each in the inflected stems the index holds, and
by its region facet code: an article tagged with the place matches whatever language names it.

Old city names that the gazetteer keeps on the region only (Семипалатинск is an alias of the Abai region there)
are added to the city here: facts from the renaming decrees, listed in `CITY_OLD_NAMES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.crosslang.lexicon import OTHER, Target, analyse
from index.facets.regions import places as gazetteer_places

# Renamed cities (old name -> the city's current Russian name in the gazetteer).
CITY_OLD_NAMES = {
    "Семей": ("Семипалатинск",),
    "Тараз": ("Джамбул", "Аулие-Ата"),
    "Актобе": ("Актюбинск",),
    "Кызылорда": ("Кзыл-Орда",),
    "Талдыкорган": ("Талды-Курган",),
    "Атырау": ("Гурьев",),
    "Костанай": ("Кустанай",),
    "Жезказган": ("Джезказган",),
    "Конаев": ("Капшагай", "Қапшағай"),
    "Өскемен": (),
}
# Endings added to a name before it is analysed: the forms the stemmers may leave different stems for.
KK_ENDINGS = ("", "да", "де", "та", "те", "ның", "нің", "ға", "ге", "қа", "ке", "дағы", "дегі", "тағы", "тегі",
              "нан", "нен", "дан", "ден", "тан", "тен", "ы", "і", "лық", "лік")  # fmt: skip
RU_ENDINGS = ("", "а", "е", "у", "ом", "ой", "ая", "ской", "ского", "ском", "скую")
KK_LETTERS = re.compile("[әғқңөұүһі]", re.I)
# Kinds found without a capital letter: a lower-case district or village name is too often a common word.
ANY_CASE_KINDS = ("region", "city")
MAX_VARIANTS = 4  # stems of one name kept as search terms


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    code: str
    kind: str
    tag: str  # the region facet value an article about it carries ("" for villages: too narrow a tag)
    names: dict[str, tuple[str, ...]]  # lang -> names written in that language


def _language_names(raw_ru: list[str], raw_kk: list[str], aliases: list[str]) -> dict[str, tuple[str, ...]]:
    ru = [n for n in raw_ru if n]
    kk = [n for n in raw_kk if n]
    for alias in aliases:
        if not alias.isascii():  # Latin forms only recognise a place: no article field holds them as written
            (kk if KK_LETTERS.search(alias) else ru).append(alias)
    return {"ru": tuple(dict.fromkeys(ru)), "kk": tuple(dict.fromkeys(kk))}


@lru_cache(maxsize=8192)
def _stems(name: str, lang: str, inflect: bool = True) -> list[tuple[str, ...]]:
    """The analysed forms of `name` and (with `inflect`) of its inflected forms, most common first."""
    words = re.findall(r"\w+", name)
    if not words:
        return []
    head = " ".join(words[:-1])
    out: list[tuple[str, ...]] = []
    endings = (KK_ENDINGS if lang == "kk" else RU_ENDINGS) if inflect else ("",)
    for ending in endings:
        terms = analyse(f"{head} {words[-1]}{ending}".strip(), lang)
        if len(terms) == len(words) and terms not in out and len(terms[-1]) >= 3:
            out.append(terms)
    return out


@dataclass(slots=True)
class Places:
    entries: list[PlaceEntry]
    keys: dict[tuple[str, ...], list[int]]  # analysed name (any analyzer, any ending) -> entries
    longest: int
    targets: dict[int, list[Target]]  # entry -> what it is searched as


@lru_cache(maxsize=1)
def places() -> Places:
    found, _by_code = gazetteer_places()
    import json

    from index.facets.regions import GAZETTEER

    raws = json.loads(GAZETTEER.read_text(encoding="utf-8"))["entries"]
    entries: list[PlaceEntry] = []
    keys: dict[tuple[str, ...], list[int]] = {}
    targets: dict[int, list[Target]] = {}
    longest = 1
    for place, raw in zip(found, raws, strict=True):
        aliases = [a["form"] for a in raw.get("aliases", []) if a["type"] in ("noun", "adj", "cityadj")]
        aliases += list(CITY_OLD_NAMES.get(raw["ru"], ())) if raw["kind"] == "city" else []
        names = _language_names([raw["ru"], raw["ru_adj"]], [raw["kk"]], aliases)
        latin = list(raw.get("latin", [])) + [a["form"] for a in raw.get("aliases", []) if a["type"] == "latin"]
        tag = place.code if place.kind in ("region", "city", "district") else ""
        if place.kind == "city" and not place.code.startswith("KZ-"):
            tag = place.district or place.code
        idx = len(entries)
        entries.append(PlaceEntry(place.code, place.kind, tag, names))
        # each name with its own language's endings, and as written by the other analyzer (a Russian name in a
        # Kazakh query, a Latin form in either)
        readings = [(name, lang, inflect) for lang in ("kk", "ru") for name in names[lang] for inflect in (True,)]
        readings += [(name, OTHER[lang], False) for lang in ("kk", "ru") for name in names[lang]]
        readings += [(name, lang, False) for name in latin for lang in ("kk", "ru")]
        for name, lang, inflect in readings:
            for stems in _stems(name, lang, inflect):
                bucket = keys.setdefault(stems, [])
                if idx not in bucket:
                    bucket.append(idx)
                longest = max(longest, len(stems))
        out: list[Target] = []
        for lang in ("kk", "ru"):
            for name in names[lang]:
                variants = tuple(_stems(name, lang)[:MAX_VARIANTS])
                if variants:
                    out.append(Target(lang, name, variants, "place"))
        if tag:
            out.append(Target("", f"region:{tag}", ((tag,),), "region"))
        targets[idx] = out
    return Places(entries, keys, longest, targets)
