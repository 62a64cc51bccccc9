"""Partner-country facet: ISO 3166-1 alpha-2 codes of countries a text names, in Russian and Kazakh.

Countries are found by name (Китай, Қытай), Russian adjective (китайская компания, китайских инвесторов),
Russian demonym (китайцы) and Kazakh ethnonym or -лық derivative (қытай компаниясы, қытайлық, жапондықтар,
ресейліктер), all through the shared stem lexicon. Kazakhstan is left out. Traps: a currency is not a partner
("долларов США", "АҚШ доллары", "российских рублей"), a language or a dish is not a partner ("китайский
язык", "турецкий кофе", "қытай тілі"), ethnic words for citizens of Kazakhstan (русский, орыс) are not
mapped at all, and Korea is KR unless North Korea or КНДР is written.
"""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter

from index.facets.text import (
    EXACT,
    KK,
    MAX_MENTIONS,
    RU_ADJ,
    RU_NOUN_A,
    SHARED,
    Lexicon,
    Tokens,
    data_lines,
    fold,
    known,
    latin_endings,
    latin_key,
    positions,
    ru_noun_forms,
    union,
)

# code: Russian nouns | Russian adjectives | Russian demonym stems | Kazakh nouns | Kazakh ethnonyms

_RU_DEM_ENDINGS = frozenset({"", "ы", "и", "ев", "ов", "ам", "ами", "ах", "а", "у", "ем", "ом", "е", "ой"})
# The noun after an adjective that makes it no partner: a language, a dish, a currency.
_NOT_PARTNER = (
    "язык", "кухн", "кофе", "чай", "блюд", "сериал", "рубл", "юан", "доллар", "тил", "тағам", "тагам", "шай",
    "асхана", "фильм", "песн", "литератур", "алфавит", "иероглиф",
)  # fmt: skip
_CURRENCY_NEAR = ("доллар", "долл")
_HEAD4 = itemgetter(slice(4))  # a key's first four letters, the index of two-word names


@lru_cache(maxsize=1)
def lexicon() -> tuple[Lexicon[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    lex: Lexicon[tuple[str, str]] = Lexicon()
    multi: dict[str, list[tuple[str, str]]] = {}  # first 4 letters -> (folded two-word name, code)
    for line in data_lines("countries.txt"):
        code, rest = line.split(":", 1)
        ru_nouns, ru_adjs, ru_dems, kk_nouns, kk_eth = ([w.strip() for w in part.split(",") if w.strip()]
                                                        for part in rest.split("|"))  # fmt: skip
        for noun in ru_nouns + kk_nouns:
            if " " in noun:
                if noun.count(" ") == 1:
                    multi.setdefault(fold(noun)[:4], []).append((fold(noun), code))
                continue
            if noun.isupper():
                lex.add(fold(noun), union(EXACT, KK), (code, "abbr"))
                continue
            stem, endings = ru_noun_forms(noun)
            if endings is RU_NOUN_A:
                endings = endings | {"ю", "ей"}
            lex.add(stem, endings, (code, "noun"))
            lex.add(fold(noun), KK, (code, "noun"))
        for adj in ru_adjs:
            key = fold(adj)
            lex.add(key[:-2], RU_ADJ, (code, "adj"))
        for dem in ru_dems:
            lex.add(fold(dem), _RU_DEM_ENDINGS, (code, "dem"))
        for eth in kk_eth:
            lex.add(fold(eth), KK, (code, "adj"))
            lex.add(latin_key(fold(eth)), latin_endings(KK), (code, "adj"))
        for noun in kk_nouns:
            if " " not in noun and not noun.isupper():
                lex.add(latin_key(fold(noun)), latin_endings(KK), (code, "noun"))
    SHARED.join(lex)
    return lex, multi


def find_countries(tokens: Tokens, text: str) -> list[tuple[str, int, int]]:
    """(code, start, end) for every country mention, in text order."""
    lex, multi = lexicon()
    out: list[tuple[str, int, int]] = []
    n = len(tokens)
    skip = -1
    keys, keyset = tokens.keys, tokens.keyset
    known(lex, keyset)
    wanted = keyset & lex.hits
    if not multi.keys().isdisjoint(map(_HEAD4, keyset)):  # in C: this runs over every word
        wanted |= {k for k in keyset if k[:4] in multi}
    for i in positions(keys, wanted):
        tok = tokens[i]
        if i <= skip:
            continue
        if len(out) >= MAX_MENTIONS:
            break
        nxt = tokens[i + 1] if i + 1 < n else None
        # two-word names first: Северная Корея, Саудовская Аравия, Оңтүстік Корея
        if nxt is not None:
            code = None
            for name, c in multi.get(tok.key[:4], ()):
                pair = f"{tok.key} {nxt.key}"
                if pair.startswith(name[:-1]) and len(pair) - len(name) <= 4:
                    code = c
                    break
            if code is not None and tok.upper:
                out.append((code, tok.start, nxt.end))
                skip = i + 1
                continue
        hits = [
            (code, kind)
            for code, kind in lex.lookup(tok.key)
            if not (kind in ("noun", "abbr") and not tok.upper) and not (kind == "abbr" and not tok.text.isupper())
        ]
        if not hits:
            continue
        code, _kind = hits[0]
        prev = tokens[i - 1] if i > 0 else None
        if code == "US" and (
            (prev is not None and prev.key.startswith(_CURRENCY_NEAR))
            or (nxt is not None and nxt.key.startswith(_CURRENCY_NEAR))
        ):
            continue  # "долларов США", "АҚШ доллары": a currency
        if nxt is not None and nxt.key.startswith(_NOT_PARTNER):
            continue
        if code == "KR" and prev is not None and prev.key.startswith(("северн", "солтустик")):
            code = "KP"
        out.append((code, tok.start, tok.end))
    return out
