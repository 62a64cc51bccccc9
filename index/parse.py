"""The query language: a user's query string read into our engine-neutral tree (`index.qtree`).

A query string keeps Whoosh's syntax (AND, OR, NOT, "phrases", prefix*, field:value) with friendly field
aliases (title:, body:, source:, lang:, region: ...). Every unfielded word is analysed by each text field's
analyzer and searched over all of them (titles weighted above bodies by the field boosts). With translation on,
words are also searched in the other language (`index.crosslang`). A syntax error (unbalanced quotes or
parentheses, a lone operator) is never an exception: the query is searched as plain words and the result
carries a notice.

Whoosh's query parser (`whoosh.qparser`, with our plugins: field aliases, cross-language translation, the
multi-field expansion) reads the syntax and analyses the words. Its output is converted to our tree here
(`_tree`) and never leaves this module: `ParsedQuery.query` is an `index.qtree` node, which each engine runs
its own way. The tree keeps all that Whoosh's query held (boosts, slop, the any-word coordination bonus, field
wildcards), so the Whoosh engine's results are the ones Whoosh's own query gave.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq
from whoosh.fields import NUMERIC, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldPlugin, OrGroup, QueryParser, syntax
from whoosh.qparser.plugins import Plugin

from index import qtree
from index.analysis.fold import fold_word
from index.crosslang import Expansion, TranslatePlugin
from index.models import FacetValue, Hit, SearchResult
from index.schema import (
    BODY_FIELDS,
    FIELD_BOOSTS,
    FOLD_FIELDS,
    TEXT_FIELDS,
    TITLE_FIELDS,
)

TEXT_ALIASES: dict[str, tuple[str, ...]] = {
    "title": TITLE_FIELDS,
    "body": BODY_FIELDS + FOLD_FIELDS,
    "text": BODY_FIELDS + FOLD_FIELDS,
    "заголовок": TITLE_FIELDS,
    "тақырып": TITLE_FIELDS,
}
KEYWORD_ALIASES: dict[str, tuple[str, str]] = {
    # alias: (field, case of its values)
    "source": ("source", "lower"),
    "site": ("source", "lower"),
    "lang": ("lang", "lower"),
    "language": ("lang", "lower"),
    "region": ("region", "upper"),
    "sector": ("sector", "upper"),
    "oked": ("sector", "upper"),
    "country": ("country", "upper"),
    "year": ("year", "lower"),
}

_CYRILLIC = re.compile("[\u0400-\u04ff]")
NOTICE_SYNTAX = "The query has a syntax error ({problem}); it was searched as plain words."
NOTICE_ANY = "No article has all of the words; showing articles with any of them."


# ---------------------------------------------------------------------------------------------- parsing
class _AliasPlugin(Plugin):
    """Expands title:/body: into their language fields and normalises the case of keyword values."""

    def filters(self, parser: QueryParser) -> list[tuple[Any, int]]:
        # after the fields plugin (100) names the nodes, before the multifield plugin (110)
        return [(self._expand, 105)]

    def _expand(self, parser: QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self._expand(parser, node)
                continue
            name = getattr(node, "fieldname", None) if node.has_fieldname else None
            if name is None:
                continue
            if name in TEXT_ALIASES:
                copies = []
                # an index written before the `*_other` fields existed lacks them
                schema = parser.schema
                for target in (t for t in TEXT_ALIASES[name] if schema is None or t in schema):
                    copy = _copy_node(node)
                    copy.set_fieldname(target, override=True)
                    copy.set_boost(FIELD_BOOSTS.get(target, 1.0))
                    copies.append(copy)
                group[i] = syntax.OrGroup(copies)
            elif name in KEYWORD_ALIASES:
                target, case = KEYWORD_ALIASES[name]
                node.set_fieldname(target, override=True)
                if hasattr(node, "text") and isinstance(node.text, str):
                    node.text = node.text.upper() if case == "upper" else node.text.lower()
        return group


def _copy_node(node: Any) -> Any:
    return copy.copy(node)


@dataclass(slots=True)
class ParsedQuery:
    query: qtree.Node | None  # None: match everything (empty query)
    notice: str = ""
    words: int = 0  # how many plain words the query has (for the any-word fallback)
    plain: bool = True  # no operators, fields or phrases: eligible for the any-word fallback
    expansion: Expansion | None = None  # what cross-language translation added (None: not translated)

    def result(
        self, total: int, page: int, per_page: int, hits: list[Hit], facets: dict[str, list[FacetValue]]
    ) -> SearchResult:
        """The answer to a search of this query, with its notice and what translation added: one for every engine."""
        result = SearchResult(total, page, per_page, hits, facets, self.notice)
        if self.expansion is not None:
            result.expanded = self.expansion.by_lang()
            result.expanded_tags = self.expansion.tags()
            result.expansion_capped = self.expansion.capped
        return result


class QueryBuilder:
    """Reads user strings into query trees for one schema (the fields the index has)."""

    def __init__(self, schema: Schema) -> None:
        parse_schema = Schema()
        for name, fieldtype in schema.items():
            parse_schema.add(name, fieldtype)
        for alias in list(TEXT_ALIASES) + list(KEYWORD_ALIASES):
            if alias not in parse_schema:
                parse_schema.add(alias, TEXT())
        self.schema = schema
        self._translator = TranslatePlugin()
        self._parsers = {
            (grouping, translate): self._parser(parse_schema, grouping, self._translator if translate else None)
            for grouping in ("and", "or")
            for translate in (False, True)
        }

    @staticmethod
    def _parser(schema: Schema, grouping: str, translator: TranslatePlugin | None) -> QueryParser:
        group = AndGroup if grouping == "and" else OrGroup.factory(0.9)
        parser = QueryParser(None, schema, group=group)
        if translator is not None:
            parser.add_plugin(translator)  # kk <-> ru: words also searched in their translations (issue 18)
        parser.add_plugin(_AliasPlugin())
        fields = [name for name in TEXT_FIELDS if name in schema]  # an older index lacks the `*_other` fields
        parser.add_plugin(MultifieldPlugin(fields, fieldboosts=FIELD_BOOSTS))
        return parser

    def parse(self, text: str, *, any_word: bool = False, translate: bool = False) -> ParsedQuery:
        """The query of `text`; with `translate`, each word also searched in the other language
        (`index.crosslang`), what was added in `ParsedQuery.expansion`."""
        parsed = self._parse(text, any_word=any_word, translate=translate)
        if translate:
            parsed.expansion = self._translator.expansion()
        return parsed

    def _parse(self, text: str, *, any_word: bool, translate: bool) -> ParsedQuery:
        read, notice, words, plain = self._read(text, any_word=any_word, translate=translate)
        if read is None:
            return ParsedQuery(None, notice=notice, words=words, plain=plain)
        try:
            tree = _tree(read, self.schema)
        except Untranslatable:  # a kind of query our parse never makes; searched as its words, never a 500
            notice = NOTICE_SYNTAX.format(problem="it could not be read")
            words_only, _notice, words, plain = self._read(plain_words(text), any_word=any_word, translate=translate)
            tree = _tree(words_only, self.schema) if words_only is not None else qtree.Nothing()
        return ParsedQuery(tree, notice=notice, words=words, plain=plain)

    def _read(self, text: str, *, any_word: bool, translate: bool) -> tuple[wq.Query | None, str, int, bool]:
        """Whoosh's parse of `text` (None: the empty query), the notice, the count of words, and whether it is
        plain words only. Private to this module: what leaves it is the tree (`_tree`)."""
        if translate:
            self._translator.begin()
        text = text.strip()
        if not text:
            return None, "", 0, True
        problem = syntax_problem(text)
        notice = ""
        if problem:
            notice = NOTICE_SYNTAX.format(problem=problem)
            text = plain_words(text)
            if not text:
                return wq.NullQuery, notice, 0, True
        plain = not re.search(r'["():*?^]|\b(AND|OR|NOT)\b|(^|\s)[+-]', text)
        words = len(re.findall(r"\w+", text))
        parser = self._parsers[("or" if any_word else "and", translate)]
        try:
            parsed = parser.parse(text)
        except Exception:
            notice = NOTICE_SYNTAX.format(problem="it could not be read")
            if translate:
                self._translator.begin()
            parsed = parser.parse(plain_words(text))
        parsed = self._fix_wildcards(parsed, latin=not _CYRILLIC.search(text))
        return parsed, notice, words, plain

    def _fix_wildcards(self, q: wq.Query, latin: bool = False) -> wq.Query:
        """Prefix and wildcard text is not analysed by Whoosh: lowercase it, or fold it for folded fields.

        A phrase on a field indexed without positions (the folded fields since issue #9: phrases are matched
        on the language fields) cannot keep its word order there. A phrase typed in Cyrillic is matched on the
        language fields, so there it matches nothing (all its words would let "аймақ индустриалды" through); a
        phrase typed in Latin letters has no language field to match, so there it asks for all its words.
        """
        if isinstance(q, wq.Phrase):
            fmt = self.schema[q.fieldname].format if q.fieldname in self.schema else None
            if fmt is not None and not fmt.supports("positions"):
                if latin and q.words:
                    return wq.And([wq.Term(q.fieldname, word) for word in q.words])
                return wq.NullQuery
            return q
        if isinstance(q, wq.Prefix | wq.Wildcard):
            name = q.fieldname
            if name in FOLD_FIELDS:
                q.text = fold_word(q.text)
            elif name in TEXT_FIELDS:
                q.text = q.text.lower().replace("ё", "е")
            return q
        if q.is_leaf():
            return q
        return q.apply(lambda child: self._fix_wildcards(child, latin))


class Untranslatable(ValueError):
    """A Whoosh query of a kind the tree has no node for."""


def _tree(q: wq.Query, schema: Schema) -> qtree.Node:
    """The tree of Whoosh's parse `q`; a term of a numeric field holds its number as text."""
    boost = float(getattr(q, "boost", 1.0) or 1.0)
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return qtree.Nothing()
    if isinstance(q, wq.Every):
        return qtree.All(boost, q.fieldname or "")
    if isinstance(q, wq.FuzzyTerm):
        return qtree.Fuzzy(q.fieldname, _text(q.text), int(q.maxdist), int(q.prefixlength), boost)
    if isinstance(q, wq.Term):
        text = q.text
        if isinstance(text, bytes) and q.fieldname in schema and isinstance(schema[q.fieldname], NUMERIC):
            text = str(schema[q.fieldname].from_bytes(text))
        return qtree.Term(q.fieldname, _text(text), boost)
    if isinstance(q, wq.Phrase):
        return qtree.Phrase(q.fieldname, tuple(_text(w) for w in q.words), boost, max(0, int(q.slop) - 1))
    if isinstance(q, wq.Prefix):
        return qtree.Prefix(q.fieldname, _text(q.text), boost)
    if isinstance(q, wq.Wildcard):
        return qtree.Wildcard(q.fieldname, _text(q.text), boost)
    if isinstance(q, wq.NumericRange | wq.TermRange):
        return qtree.Range(q.fieldname, q.start, q.end, not q.startexcl, not q.endexcl, boost)
    if isinstance(q, wq.Not):
        return qtree.Not(_tree(q.query, schema), boost)
    if isinstance(q, wq.AndNot):
        return qtree.AndNot(_tree(q.a, schema), _tree(q.b, schema), boost)
    if isinstance(q, wq.AndMaybe):
        return qtree.AndMaybe(_tree(q.a, schema), _tree(q.b, schema), boost)
    if isinstance(q, wq.Require):
        return qtree.Require(_tree(q.a, schema), _tree(q.b, schema), boost)
    if type(q) is wq.And:
        return qtree.And(tuple(_tree(c, schema) for c in q.subqueries), boost)
    if type(q) is wq.Or:
        children = tuple(_tree(c, schema) for c in q.subqueries)
        return qtree.Or(children, boost, max(1, int(q.minmatch or 0)), float(q.scale or 0.0))
    raise Untranslatable(f"a query of the kind {type(q).__name__} cannot be searched")


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


_OPERATOR = re.compile(r"^(AND|OR|NOT|ANDNOT|ANDMAYBE)$")


def syntax_problem(text: str) -> str:
    """What is wrong with the query's syntax, in words; "" when nothing is."""
    if text.count('"') % 2:
        return "unbalanced quotes"
    outside = re.sub(r'"[^"]*"', "x", text)
    depth = 0
    for ch in outside:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return "unbalanced parentheses"
    if depth:
        return "unbalanced parentheses"
    tokens = re.sub(r"[()]", " ", outside).split()
    if not tokens:
        return "no words"
    for i, token in enumerate(tokens):
        if not _OPERATOR.match(token):
            continue
        if i == len(tokens) - 1:
            return f"{token} without a word after it"
        if token != "NOT" and i == 0:
            return f"{token} without a word before it"
        if _OPERATOR.match(tokens[i + 1]) and tokens[i + 1] != "NOT":
            return f"{token} followed by {tokens[i + 1]}"
    if re.search(r"(^|\s)\w+:(\s|$)", outside):
        return "a field without a value"
    return ""


def plain_words(text: str) -> str:
    """The words of a query without its operators and syntax."""
    return " ".join(w for w in re.findall(r"\w+", text) if not _OPERATOR.match(w))


# Whoosh's field-length byte -> length table (its lengths are stored as one byte per document and field)
