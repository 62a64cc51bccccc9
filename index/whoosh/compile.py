"""Our query tree (`index.qtree`) as Whoosh query objects, for the few places the Whoosh engine hands a query to
Whoosh itself: its searcher's ranking where the numpy evaluator cannot score (prefixes, ranges, the any-word
coordination bonus), more-like-this, and the matchers of the rare node kinds the evaluator leaves to Whoosh.

The tree holds everything Whoosh's parser put in its query (`index.parse`), so a parse compiled here is the very
query Whoosh's parser read (`tests/test_rooms.py` compares them field by field): the results stay Whoosh's.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.fields import NUMERIC, Schema

from index import qtree


def to_whoosh(node: qtree.Node, schema: Schema) -> wq.Query:
    """The Whoosh query of a tree; numbers of a numeric field in the index's encoding."""
    if isinstance(node, qtree.Term):
        return wq.Term(node.field, _value(node.field, node.text, schema), boost=node.boost)
    if isinstance(node, qtree.Phrase):
        return wq.Phrase(node.field, list(node.words), slop=node.slop + 1, boost=node.boost)
    if isinstance(node, qtree.Prefix):
        return wq.Prefix(node.field, node.text, boost=node.boost)
    if isinstance(node, qtree.Wildcard):
        return wq.Wildcard(node.field, node.pattern, boost=node.boost)
    if isinstance(node, qtree.Fuzzy):
        return wq.FuzzyTerm(node.field, node.text, boost=node.boost, maxdist=node.distance, prefixlength=node.prefix)
    if isinstance(node, qtree.Range):
        kind = wq.NumericRange if _numeric(node.field, schema) else wq.TermRange
        return kind(
            node.field, node.low, node.high, not node.low_inclusive, not node.high_inclusive, boost=node.boost
        )
    if isinstance(node, qtree.And):
        return wq.And([to_whoosh(c, schema) for c in node.children], boost=node.boost)
    if isinstance(node, qtree.Or):
        minmatch = node.min_match if node.min_match > 1 else 0
        return wq.Or(
            [to_whoosh(c, schema) for c in node.children],
            boost=node.boost,
            minmatch=minmatch,
            scale=node.scale or None,
        )
    if isinstance(node, qtree.Not):
        return wq.Not(to_whoosh(node.child, schema), boost=node.boost)
    if isinstance(node, qtree.AndNot):
        return _boosted(wq.AndNot(to_whoosh(node.positive, schema), to_whoosh(node.negative, schema)), node.boost)
    if isinstance(node, qtree.AndMaybe):
        return _boosted(wq.AndMaybe(to_whoosh(node.required, schema), to_whoosh(node.optional, schema)), node.boost)
    if isinstance(node, qtree.Require):
        return _boosted(wq.Require(to_whoosh(node.scored, schema), to_whoosh(node.required, schema)), node.boost)
    if isinstance(node, qtree.All):
        return wq.Every(node.field or None, boost=node.boost)
    return wq.NullQuery


def _numeric(field: str, schema: Schema) -> bool:
    return field in schema and isinstance(schema[field], NUMERIC)


def _value(field: str, text: str, schema: Schema) -> Any:
    """A term's text as Whoosh looks it up: a number of a numeric field in its sortable bytes."""
    return schema[field].to_bytes(text) if _numeric(field, schema) else text


def _boosted(q: wq.Query, boost: float) -> wq.Query:
    if boost != 1.0:
        q.boost = boost  # type: ignore[attr-defined]
    return q
