"""An engine-neutral query tree: what a parsed user query asks, in terms any engine can run.

The query parser (`index.search.QueryBuilder`, on Whoosh's parser) already analyses every word with each text
field's analyzer, so the leaves hold index terms (stems, folded skeletons), not what the user typed. Each
engine turns the tree into its own query: Whoosh keeps the parsed query objects the tree is made from; the
OpenSearch engine builds its query DSL from the tree (`index.opensearch.query`). Cross-language expansion
(extra words in the other language, with a lower boost) arrives as ordinary `Or`, `Term` and `Phrase` nodes,
so it works on both engines without either knowing about it.

`from_whoosh` converts a parsed Whoosh query; `terms_of` lists the analysed terms and prefixes per field, which
the snippets' highlighter marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Phrase:
    field: str
    words: tuple[str, ...]
    boost: float = 1.0
    slop: int = 0  # extra positions allowed between the words (0: side by side, in order)


@dataclass(frozen=True, slots=True)
class Prefix:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Wildcard:
    field: str
    pattern: str  # * any run of characters, ? one character
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Fuzzy:
    field: str
    text: str
    distance: int = 1
    prefix: int = 1
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Range:
    field: str
    low: Any = None
    high: Any = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    boost: float = 1.0
    min_match: int = 1  # how many children must match (1: any)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class AndNot:
    positive: Node
    negative: Node
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class AndMaybe:
    required: Node
    optional: Node  # scores, never narrows
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Require:
    scored: Node
    required: Node  # narrows, never scores
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class All:
    """Every document."""

    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Nothing:
    """No document (a query left with no words)."""


Node = (
    Term | Phrase | Prefix | Wildcard | Fuzzy | Range | And | Or | Not | AndNot | AndMaybe | Require | All | Nothing
)


class Untranslatable(ValueError):
    """A parsed query of a kind the tree has no node for."""


def from_whoosh(q: Any) -> Node:
    """The tree of a parsed Whoosh query (`whoosh.query`); raises `Untranslatable` for a kind it lacks."""
    from whoosh import query as wq

    boost = float(getattr(q, "boost", 1.0) or 1.0)
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return Nothing()
    if isinstance(q, wq.Every):
        return All(boost)
    if isinstance(q, wq.FuzzyTerm):
        return Fuzzy(q.fieldname, _text(q.text), int(q.maxdist), int(q.prefixlength), boost)
    if isinstance(q, wq.Term):
        return Term(q.fieldname, _text(q.text), boost)
    if isinstance(q, wq.Phrase):
        return Phrase(q.fieldname, tuple(_text(w) for w in q.words), boost, max(0, int(q.slop) - 1))
    if isinstance(q, wq.Prefix):
        return Prefix(q.fieldname, _text(q.text), boost)
    if isinstance(q, wq.Wildcard):
        return Wildcard(q.fieldname, _text(q.text), boost)
    if isinstance(q, wq.NumericRange | wq.TermRange):
        return Range(q.fieldname, q.start, q.end, not q.startexcl, not q.endexcl, boost)
    if isinstance(q, wq.ConstantScoreQuery):
        return from_whoosh(q.child)
    if isinstance(q, wq.Not):
        return Not(from_whoosh(q.query), boost)
    if isinstance(q, wq.AndNot):
        return AndNot(from_whoosh(q.a), from_whoosh(q.b), boost)
    if isinstance(q, wq.AndMaybe):
        return AndMaybe(from_whoosh(q.a), from_whoosh(q.b), boost)
    if isinstance(q, wq.Require):
        return Require(from_whoosh(q.a), from_whoosh(q.b), boost)
    if isinstance(q, wq.And):
        return And(tuple(from_whoosh(c) for c in q.subqueries), boost)
    if isinstance(q, wq.Or | wq.DisjunctionMax):
        return Or(tuple(from_whoosh(c) for c in q.subqueries), boost, max(1, int(getattr(q, "minmatch", 0) or 0)))
    raise Untranslatable(f"a query of the kind {type(q).__name__} cannot be searched on this engine")


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def terms_of(node: Node | None) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """The terms of a tree per field and its prefixes per field (what snippets mark); negated parts left out."""
    terms: dict[str, set[str]] = {}
    prefixes: dict[str, list[str]] = {}

    def walk(n: Node) -> None:
        if isinstance(n, Term | Fuzzy):
            terms.setdefault(n.field, set()).add(n.text)
        elif isinstance(n, Phrase):
            terms.setdefault(n.field, set()).update(n.words)
        elif isinstance(n, Prefix):
            prefixes.setdefault(n.field, []).append(n.text)
        elif isinstance(n, Wildcard):
            stem = re.split(r"[*?]", n.pattern, maxsplit=1)[0]
            if stem:
                prefixes.setdefault(n.field, []).append(stem)
        elif isinstance(n, And | Or):
            for child in n.children:
                walk(child)
        elif isinstance(n, AndNot):
            walk(n.positive)
        elif isinstance(n, AndMaybe):
            walk(n.required)
            walk(n.optional)
        elif isinstance(n, Require):
            walk(n.scored)
            walk(n.required)

    if node is not None:
        walk(node)
    return terms, prefixes
