"""An engine-neutral query tree: what a parsed user query asks, in terms any engine can run.

The query parser (`index.parse.QueryBuilder`) produces it and analyses every word with each text field's
analyzer, so the leaves hold index terms (stems, folded skeletons), not what the user typed. Each engine runs
the tree its own way: the Whoosh engine evaluates it with numpy over the postings (`index.whoosh.evaluate`,
compiling it to Whoosh query objects only where Whoosh's searcher ranks, `index.whoosh.compile`); the
OpenSearch engine builds its query DSL from it (`index.opensearch.query`). Cross-language expansion (extra
words in the other language, with a lower boost) arrives as ordinary `Or`, `Term` and `Phrase` nodes, so it
works on both engines without either knowing about it.

`terms_of` lists the analysed terms and prefixes per field, which the snippets' highlighter marks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
    # Whoosh's coordination bonus (0: none): the any-word fallback scores a document higher the more of the
    # children it matches. The Whoosh engine keeps it; the OpenSearch engine sums the matching children.
    scale: float = 0.0


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
    """Every document; with `field`, every document that has a value in that field (`field:*`)."""

    boost: float = 1.0
    field: str = ""


@dataclass(frozen=True, slots=True)
class Nothing:
    """No document (a query left with no words)."""


Node = (
    Term | Phrase | Prefix | Wildcard | Fuzzy | Range | And | Or | Not | AndNot | AndMaybe | Require | All | Nothing
)


def leaves(node: Node | None) -> Iterator[Node]:
    """Every leaf of a tree (terms, phrases, prefixes, ranges, All, Nothing), negated parts included, in order."""
    if node is None:
        return
    if isinstance(node, And | Or):
        for child in node.children:
            yield from leaves(child)
    elif isinstance(node, Not):
        yield from leaves(node.child)
    elif isinstance(node, AndNot):
        yield from leaves(node.positive)
        yield from leaves(node.negative)
    elif isinstance(node, AndMaybe):
        yield from leaves(node.required)
        yield from leaves(node.optional)
    elif isinstance(node, Require):
        yield from leaves(node.scored)
        yield from leaves(node.required)
    else:
        yield node


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
