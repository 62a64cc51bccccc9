"""Cross-language search, kk <-> ru, at query time: a query word is also searched in its translations.

The index stays as it is. While a query is parsed (`index.parse.QueryBuilder`), `TranslatePlugin` looks at
its plain words and quoted phrases and finds, longest first, what they are in the other language:

- places, from the gazetteer (`index.crosslang.places`): all names of the place in both languages and its old
  names, in any case form, plus the place's region facet code (an article tagged with it matches whatever
  language names it);
- industries: the sector lexicon of the facets (`index.facets.sectors`) gives the OKED code, searched on the
  sector facet; the OKED division names are lexicon pairs;
- the bilingual press lexicon (`index.crosslang.lexicon`, TSV data), single words and multiword terms.

Each word (or run of words) with translations becomes `Or(original, Or(translations))`, where a translation is
a Term (a phrase: a Phrase) on the other language's title and body fields with the field's boost times
`WEIGHTS.translation`, and a facet tag a Term on `region`/`sector` with `WEIGHTS.tag`. These are ordinary Whoosh
query objects made in one place (`alternatives`), so an engine that converts our parsed queries gets them as
they are. The syntax keeps its meaning: a NOT before the word excludes its translations too (they are inside
the negated group), `title:x` translates into the title fields only, a prefix or wildcard is never translated,
a quoted phrase translates only as a whole multiword entry. What was added is recorded per parse
(`Expansion`) for the API and the results page. Long queries are bounded: at most `MAX_WORDS` words are
looked up and `MAX_TARGETS` translations added; beyond that `Expansion.capped` is set.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.qparser import syntax
from whoosh.qparser.plugins import PhrasePlugin, Plugin

from index.crosslang.lexicon import Lexicon, Target, analyse, lexicon
from index.crosslang.places import ANY_CASE_KINDS, Places, places

__all__ = ["WEIGHTS", "Expansion", "TranslatePlugin", "Weights", "alternatives", "translate", "warm_up"]

MAX_WORDS = 32  # words of one query looked up
MAX_TARGETS = 48  # translations and tags added to one query
MAX_PER_SPAN = 12  # translations of one word or phrase (a place with many old names)
MAX_SPAN = 6  # words of the longest entry tried
# An industry word also matching every article tagged with its OKED code: measured off (bench.eval_crosslang),
# it added 7 points of off-topic results to the monolingual queries (мектеп -> every education story, көпір ->
# every road story) for no recall the lexicon did not already give.
SECTOR_TAGS = False

# Aliases of the query syntax (index.parse.TEXT_ALIASES) and which fields a translation goes to there.
TITLE_ALIASES = ("title", "заголовок", "тақырып")
BODY_ALIASES = ("body", "text")
FIELD_BOOSTS = {"title": 3.0, "body": 1.0}


@dataclass(slots=True)
class Weights:
    """How much a translation counts beside a word as typed (tuned on the judged queries, bench.eval_crosslang)."""

    # times the field's boost: the lowest weight at which recall@10 of the judged set is on its plateau
    translation: float = 0.25
    tag: float = 0.5  # a region or sector facet match, in BM25 units


WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class Expanded:
    source: str  # the words as typed
    target: Target
    negated: bool


@dataclass(slots=True)
class Expansion:
    """What a parse added: each translation with the words it came from."""

    items: list[Expanded] = field(default_factory=list)
    capped: bool = False

    def by_lang(self) -> dict[str, list[str]]:
        """{"kk": [...], "ru": [...]}: the words searched beside the query's own (excluded ones left out)."""
        out: dict[str, list[str]] = {"kk": [], "ru": []}
        for item in self.items:
            text = item.target.text
            if text.lower() == item.source.lower():
                continue  # its other case forms are searched, but the reader typed this word: no "also" for it
            if item.target.lang in out and not item.negated and text not in out[item.target.lang]:
                out[item.target.lang].append(text)
        return out

    def tags(self) -> list[str]:
        """Facet values also matched ("region:KZ-63", "sector:C13")."""
        return list(dict.fromkeys(i.target.text for i in self.items if not i.target.lang and not i.negated))

    def __bool__(self) -> bool:
        return bool(self.items) or self.capped


def warm_up() -> None:
    """Read the lexicon and the gazetteer's names now (a second or two) rather than in the first query."""
    lexicon()
    places()


# ------------------------------------------------------------------------------------------ lookup
def _sector_targets(text: str) -> list[Target]:
    from index.facets.sectors import find_sectors
    from index.facets.text import tokenize

    codes = dict.fromkeys(code for code, _s, _e in find_sectors(tokenize(text)))
    return [Target("", f"sector:{code}", ((code,),), "sector") for code in codes]


def _lookup(text: str, capital: bool, lex: Lexicon, gaz: Places) -> list[Target]:
    """Translations of one word or run of words, as typed; [] when none is known."""
    found: list[Target] = []
    terms = {lang: analyse(text, lang) for lang in ("kk", "ru")}
    if not terms["kk"] or not terms["ru"]:
        return []  # a stop word of either language (без, при, они; да, бұған): nothing to translate
    seen_places: set[int] = set()
    for lang in ("kk", "ru"):
        for idx in gaz.keys.get(terms[lang], ()) if terms[lang] else ():
            if idx in seen_places or (not capital and gaz.entries[idx].kind not in ANY_CASE_KINDS):
                continue
            seen_places.add(idx)
            found += gaz.targets[idx]
    if not (capital and found):  # a capitalised place name is a name: "в Семее" is not семья or семя (Snowball: сем)
        for lang in ("kk", "ru"):
            if terms[lang]:
                found += lex.lookup(lang, terms[lang])
    # what the words already search in each language is no translation
    own = {lang: (terms[lang],) for lang in ("kk", "ru")}
    out: list[Target] = []
    for target in found:
        if target.lang:
            variants = tuple(v for v in target.terms if v not in own[target.lang])
            if not variants:
                continue
            target = Target(target.lang, target.text, variants, target.kind)
        if all(t.text != target.text or t.lang != target.lang for t in out):
            out.append(target)
    return out


def translate(words: list[str], capitals: list[bool] | None = None) -> list[tuple[int, int, list[Target]]]:
    """Spans of `words` (start, end) with their translations, longest entries first, left to right."""
    lex, gaz = lexicon(), places()
    capitals = capitals if capitals is not None else [w[:1].isupper() for w in words]
    longest = min(MAX_SPAN, max(lex.longest, gaz.longest))
    out: list[tuple[int, int, list[Target]]] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            text = " ".join(words[i : i + size])
            targets = _lookup(text, any(capitals[i : i + size]), lex, gaz)
            if size == 1 or targets:
                if SECTOR_TAGS:
                    targets += [s for s in _sector_targets(text) if s not in targets]
                if targets:
                    out.append((i, i + size, targets))
                i += size
                break
    return out


# ------------------------------------------------------------------------------------------ queries
def alternatives(targets: list[Target], context: str | None) -> wq.Query | None:
    """The query of a span's translations: Terms and Phrases on the other language's fields, facet Terms.

    `context` is the field alias the words were typed under (None: every field; title: only titles; body:
    only bodies). Facet tags are added only to unfielded words.
    """
    parts: list[wq.Query] = []
    kinds = ("title", "body") if context is None else ("title",) if context in TITLE_ALIASES else ("body",)
    for target in targets:
        if not target.lang:
            if context is None:
                fieldname = target.kind  # region, sector
                parts.append(wq.Term(fieldname, target.terms[0][0], boost=WEIGHTS.tag))
            continue
        for kind in kinds:
            fieldname = f"{kind}_{target.lang}"
            boost = FIELD_BOOSTS[kind] * WEIGHTS.translation
            for terms in target.terms:
                if len(terms) == 1:
                    parts.append(wq.Term(fieldname, terms[0], boost=boost))
                else:
                    parts.append(wq.Phrase(fieldname, list(terms), boost=boost))
    if not parts:
        return None
    return wq.Or(parts)


class _Alternatives(syntax.SyntaxNode):
    """A syntax node that stands for a prepared query (the translations of the node beside it)."""

    def __init__(self, q: wq.Query) -> None:
        self.q = q
        self.startchar: int | None = None
        self.endchar: int | None = None

    def r(self) -> str:
        return f"XLANG {self.q!r}"

    def query(self, parser: Any) -> wq.Query:
        return self.q


_TRANSLATABLE_FIELDS = (None, *TITLE_ALIASES, *BODY_ALIASES)


def _is_word(node: Any) -> bool:
    return type(node) is syntax.WordNode and node.fieldname in _TRANSLATABLE_FIELDS


def _is_not(node: Any) -> bool:
    return isinstance(node, syntax.Operator) and node.grouptype is syntax.NotGroup


class TranslatePlugin(Plugin):
    """Adds the translations of plain words and quoted phrases to a parse (see the module's docstring).

    Runs after the fields plugin has named fielded words (100) and before the field aliases are expanded (105).
    One instance serves every thread; each parse's record is thread-local (`begin`, `expansion`).
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def begin(self) -> None:
        self._local.state = (Expansion(), [0])

    def expansion(self) -> Expansion:
        state = getattr(self._local, "state", None)
        return state[0] if state else Expansion()

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self._translate, 104)]

    def _translate(self, parser: Any, group: syntax.GroupNode) -> syntax.GroupNode:
        if getattr(self._local, "state", None) is None:
            self.begin()
        try:
            return self._group(parser, group, negated=False)
        except Exception:  # a translation problem must never cost the search: the words as typed
            self.begin()
            return group

    def _budget(self, words: int) -> bool:
        """Whether `words` more words may be looked up; marks the record capped when not."""
        expansion, looked = self._local.state
        if looked[0] + words > MAX_WORDS or len(expansion.items) >= MAX_TARGETS:
            expansion.capped = True
            return False
        looked[0] += words
        return True

    def _record(self, source: str, targets: list[Target], negated: bool) -> list[Target]:
        expansion, _looked = self._local.state
        room = MAX_TARGETS - len(expansion.items)
        if room < len(targets):
            expansion.capped = True
        kept = targets[: max(0, min(room, MAX_PER_SPAN))]
        expansion.items.extend(Expanded(source, t, negated) for t in kept)
        return kept

    def _group(self, parser: Any, group: syntax.GroupNode, negated: bool) -> syntax.GroupNode:
        out = group.empty_copy()
        nodes = list(group)
        i = 0
        after_not = False
        while i < len(nodes):
            node = nodes[i]
            if isinstance(node, syntax.GroupNode):
                out.append(self._group(parser, node, negated or after_not))
                after_not = False
                i += 1
                continue
            if isinstance(node, PhrasePlugin.PhraseNode) and node.fieldname in _TRANSLATABLE_FIELDS:
                out.append(self._phrase(parser, node, negated or after_not))
                after_not = False
                i += 1
                continue
            if not _is_word(node):
                out.append(node)
                if not node.is_ws():
                    after_not = _is_not(node)
                i += 1
                continue
            # a run of plain words in one field context, separated by whitespace only
            run = [i]
            j = i + 1
            while j + 1 < len(nodes) and nodes[j].is_ws() and _is_word(nodes[j + 1]):
                if nodes[j + 1].fieldname != node.fieldname or after_not:
                    break  # NOT takes one word: a run never starts with a negated word
                run.append(j + 1)
                j += 2
            self._run(parser, [nodes[k] for k in run], out, negated, after_not)
            after_not = False
            i = run[-1] + 1
        return out

    def _run(self, parser: Any, words: list[Any], out: syntax.GroupNode, negated: bool, after_not: bool) -> None:
        texts = [str(w.text) for w in words]
        spans = translate(texts) if self._budget(len(words)) else []
        at = 0
        for start, end, targets in spans:
            for k in range(at, start):
                out.append(words[k])
                out.append(syntax.Whitespace())
            kept = self._record(" ".join(texts[start:end]), targets, negated or (after_not and start == 0))
            q = alternatives(kept, words[start].fieldname)
            if q is None:
                inner: Any = words[start] if end - start == 1 else parser.group(list(words[start:end]))
            elif end - start == 1:
                inner = syntax.OrGroup([words[start], _Alternatives(q)])
            else:
                inner = syntax.OrGroup([parser.group(list(words[start:end])), _Alternatives(q)])
            out.append(inner)
            out.append(syntax.Whitespace())
            at = end
        for k in range(at, len(words)):
            out.append(words[k])
            out.append(syntax.Whitespace())

    def _phrase(self, parser: Any, node: Any, negated: bool) -> Any:
        """A quoted phrase: translated only when the whole of it is one entry (then as a phrase)."""
        words = re.findall(r"\w+", node.text)
        if not words or len(words) > MAX_SPAN or not self._budget(len(words)):
            return node
        targets = _lookup(" ".join(words), words[0][:1].isupper(), lexicon(), places())
        if not targets:
            return node
        kept = self._record(node.text, targets, negated)
        q = alternatives(kept, node.fieldname)
        return node if q is None else syntax.OrGroup([node, _Alternatives(q)])
