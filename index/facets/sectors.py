"""Sector facet: OKED (NACE Rev. 2) section letters and two-digit divisions a text is about, in both languages.

A bilingual lexicon lists, per division, Russian and Kazakh stems (металлург, болат, цемент, мұнай) and
two-word terms (сельское хозяйство, ауыл шаруашылығы, темір жол). A stem matches any ending of up to eight
letters, which covers Russian and Kazakh inflection without a stemmer; a stem written with "=" takes only the
noun endings of the shared tables, so short stems (газ, нан) do not fire inside газета or нанотехнология.
Mentions are weighted (a title mention counts three times), summed per division and per section, and a sector
counts only above an absolute floor and a share of the strongest sector: one passing mention of a bank in a
story about a steel plant does not make it a finance story. Nor does a plant's supply: the coal and ore of a
ferroalloy plant, the cattle of a meat plant or the building of either (SUPPLIERS) count only when the title
names them as well, or, without a title, when they are as strong as the plant's own sector.
"""

from __future__ import annotations

from functools import lru_cache

from index.facets.text import (
    EXACT,
    KK_NOUN,
    MAX_MENTIONS,
    PREFIX,
    RU_ADJ,
    RU_NOUN_HARD,
    SHARED,
    Lexicon,
    Tokens,
    data_lines,
    fold,
    known,
    latin_endings,
    latin_fold,
    latin_key,
    positions,
    union,
)

SHORT_ENDINGS = RU_NOUN_HARD | RU_ADJ | KK_NOUN
TITLE_WEIGHT = 3.0
MIN_SCORE = 3.0  # mentions needed in a longer text
MIN_SCORE_SHORT = 1.0  # ... and in a paragraph-sized text (under SHORT_TEXT characters)
SHORT_TEXT = 500
MIN_SHARE = 0.4  # of the strongest sector's score
# Words that come up in passing in stories about something else (a plant is "built", with a bank "credit",
# goods are "transported"): they weigh half a mention.
WEAK = {"F": 0.5, "G": 0.5, "H": 0.5, "K64": 0.5, "M72": 0.5}
# Sections that supply a subject section: a factory's raw material (A, B) and its building (F); a power
# plant's coal or gas (B) and its building. Named in passing, they are not what the story is about.
SUPPLIERS = {"C": "ABF", "D": "BF"}

# code: Russian stems | Kazakh stems. "a_b" is two words; "x=" takes only noun endings; "x!" no ending.


@lru_cache(maxsize=1)
def lexicon() -> tuple[Lexicon[str], dict[str, list[tuple[tuple[str, ...], str]]], Lexicon[str]]:
    """(single-word lexicon, two-word terms by first word stem, lexicon of first words of two-word terms)."""
    single: Lexicon[str] = Lexicon()
    firsts: Lexicon[str] = Lexicon()
    pairs: dict[str, list[tuple[tuple[str, ...], str]]] = {}  # the words after the first, split once
    for line in data_lines("sectors.txt"):
        code, rest = line.split(":", 1)
        for n_part, part in enumerate(rest.split("|")):
            for term in (t.strip() for t in part.split(",")):
                if not term:
                    continue
                exact = term.endswith("=")
                only = term.endswith("!")
                term = term.rstrip("=!")
                term = latin_fold(term) if term.isascii() else fold(term)
                endings = EXACT if only else (union(RU_NOUN_HARD, KK_NOUN) if exact else PREFIX)
                # Kazakh terms also in their Latin skeleton, for Latin-script Kazakh text
                forms = [term] if n_part == 0 or term.isascii() else [term, latin_key(term)]
                for form in forms:
                    latin = form.isascii() and form != term
                    if "_" in form:
                        words = form.split("_")
                        first, second = words[0], tuple(" ".join(words[1:]).split(" "))
                        # a short first word ("су", "ет", "газ", "жол") takes only real endings, or it would
                        # start a two-word check on every "сумма", "етеді", "газета"
                        first_endings = PREFIX if len(first) >= 5 else SHORT_ENDINGS
                        firsts.add(first, latin_endings(first_endings) if latin else first_endings, first)
                        pairs.setdefault(first, []).append((second, code))
                    else:
                        single.add(form, latin_endings(endings) if latin else endings, code)
    SHARED.join(single)
    SHARED.join(firsts)
    return single, pairs, firsts


def section_of(code: str) -> str:
    return code[0]


def find_sectors(tokens: Tokens) -> list[tuple[str, int, int]]:
    """(division or section code, start, end) for every sector term, in text order."""
    single, pairs, firsts = lexicon()
    out: list[tuple[str, int, int]] = []
    n = len(tokens)
    skip = -1
    keys, keyset = tokens.keys, tokens.keyset
    known(single, keyset)
    known(firsts, keyset)
    starts, ends = tokens.starts, tokens.ends  # read directly: no Token objects for the many candidates
    for i in positions(keys, (keyset & single.hits) | (keyset & firsts.hits)):
        if i <= skip:
            continue
        if len(out) >= MAX_MENTIONS:
            break
        key = keys[i]
        matched = False
        for first in firsts.lookup(key):
            for words, code in pairs[first]:
                last = i + len(words)
                if last >= n:
                    continue
                if (
                    keys[i + 1].startswith(words[0])  # most fail here: no generator for them
                    and all(keys[i + 1 + k].startswith(w) for k, w in enumerate(words[1:], 1))
                    and len(keys[last]) - len(words[-1]) <= 8
                ):
                    out.append((code, starts[i], ends[last]))
                    skip = last
                    matched = True
                    break
            if matched:
                break
        if matched:
            continue
        for code in single.lookup(key):
            out.append((code, starts[i], ends[i]))
            break
    return out


def _drop_supplies(keep: dict[str, float], title_sections: set[str]) -> None:
    """Remove from `keep` the sections that only supply the story's subject: a plant's raw material (coal and
    ore at a ferroalloy plant, livestock at a meat plant, cotton at a textile cluster) and the building of it.
    The subject is what the title names, else the strongest section; a supplier stays when the title names it
    too or, without a title, when it is at least as strong as the subject."""
    if not keep:
        return
    subjects = title_sections & keep.keys() or {max(keep, key=lambda sec: (keep[sec], sec))}
    for subject in subjects:
        for supplier in SUPPLIERS.get(subject, ""):
            if supplier not in keep or supplier in title_sections or supplier in subjects:
                continue
            if title_sections or keep[supplier] < keep[subject]:
                del keep[supplier]


def score_sectors(
    mentions: list[tuple[str, int, int]], title_codes: list[str], text_len: int
) -> list[tuple[str, float]]:
    """Codes (sections and divisions) above the floors, strongest first."""
    scores: dict[str, float] = {}
    for code, _s, _e in mentions:
        scores[code] = scores.get(code, 0.0) + WEAK.get(code, 1.0)
    for code in title_codes:
        scores[code] = scores.get(code, 0.0) + TITLE_WEIGHT * WEAK.get(code, 1.0)
    sections: dict[str, float] = {}
    for code, s in scores.items():
        sections[code[0]] = sections.get(code[0], 0.0) + s
    if not sections:
        return []
    top = max(sections.values())
    floor = MIN_SCORE_SHORT if text_len < SHORT_TEXT else MIN_SCORE
    keep = {sec: s for sec, s in sections.items() if s >= floor and s >= MIN_SHARE * top}
    _drop_supplies(keep, {code[0] for code in title_codes})
    out: list[tuple[str, float]] = []
    for sec, s in sorted(keep.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append((sec, s))
        divisions = [(c, v) for c, v in scores.items() if len(c) > 1 and c[0] == sec]
        top_div = max((v for _c, v in divisions), default=0.0)
        for c, v in sorted(divisions, key=lambda kv: (-kv[1], kv[0])):
            if v >= MIN_SHARE * top_div and (v >= floor or v == top_div):
                out.append((c, v))
    return out
