"""The OpenSearch query DSL of an engine-neutral query tree (`index.qtree`).

The text fields hold our own analysers' tokens, split on whitespace by OpenSearch, so a tree's terms are looked
up as they are: `term` queries, and phrases as `match_phrase` with the `whitespace` analyzer. Boosts carry over;
a boolean OR scores as the sum of its matching parts, as Whoosh's does.
"""

from __future__ import annotations

from typing import Any

from index import qtree

MATCH_NONE: dict[str, Any] = {"match_none": {}}


def to_dsl(node: qtree.Node) -> dict[str, Any]:
    """The query of one node."""
    if isinstance(node, qtree.Term):
        return {"term": {node.field: {"value": node.text, "boost": node.boost}}}
    if isinstance(node, qtree.Phrase):
        if not node.words:
            return MATCH_NONE
        return {
            "match_phrase": {
                node.field: {
                    "query": " ".join(node.words),
                    "analyzer": "whitespace",
                    "slop": node.slop,
                    "boost": node.boost,
                }
            }
        }
    if isinstance(node, qtree.Prefix):
        return {"prefix": {node.field: {"value": node.text, "boost": node.boost}}}
    if isinstance(node, qtree.Wildcard):
        return {"wildcard": {node.field: {"value": node.pattern, "boost": node.boost}}}
    if isinstance(node, qtree.Fuzzy):
        return {
            "fuzzy": {
                node.field: {
                    "value": node.text,
                    "fuzziness": node.distance,
                    "prefix_length": node.prefix,
                    "boost": node.boost,
                }
            }
        }
    if isinstance(node, qtree.Range):
        bounds: dict[str, Any] = {"boost": node.boost}
        if node.low is not None:
            bounds["gte" if node.low_inclusive else "gt"] = node.low
        if node.high is not None:
            bounds["lte" if node.high_inclusive else "lt"] = node.high
        return {"range": {node.field: bounds}}
    if isinstance(node, qtree.And):
        if not node.children:
            return {"match_all": {"boost": node.boost}}
        return {"bool": {"must": [to_dsl(c) for c in node.children], "boost": node.boost}}
    if isinstance(node, qtree.Or):
        if not node.children:
            return MATCH_NONE
        return {
            "bool": {
                "should": [to_dsl(c) for c in node.children],
                "minimum_should_match": node.min_match,
                "boost": node.boost,
            }
        }
    if isinstance(node, qtree.Not):
        # Whoosh scores every document a negation matches with the negation's boost
        return {"constant_score": {"filter": {"bool": {"must_not": [to_dsl(node.child)]}}, "boost": node.boost}}
    if isinstance(node, qtree.AndNot):
        return {"bool": {"must": [to_dsl(node.positive)], "must_not": [to_dsl(node.negative)], "boost": node.boost}}
    if isinstance(node, qtree.AndMaybe):
        return {"bool": {"must": [to_dsl(node.required)], "should": [to_dsl(node.optional)], "boost": node.boost}}
    if isinstance(node, qtree.Require):
        return {"bool": {"must": [to_dsl(node.scored)], "filter": [to_dsl(node.required)], "boost": node.boost}}
    if isinstance(node, qtree.All):
        return {"match_all": {"boost": node.boost}}
    return MATCH_NONE
