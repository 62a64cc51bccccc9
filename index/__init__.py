"""The index: language-aware analysis, facets, the article store and search, behind one interface.

Everything outside this package speaks to the index through `open_index()` and the `SearchIndex` protocol
below, with the records of `index.models`. Two engines implement it: Whoosh (`index.whoosh`, the embedded
default, no server) and OpenSearch (`index.opensearch`, a real cluster for archives that outgrow one machine),
chosen by `SEARCHAPP_ENGINE` (`index.config`). Both share the analysis, `to_record`, the index fields of a
record (`index.document`), the facet and filter semantics, the query parser (`index.parse`), whose product is
an engine-neutral tree (`index.qtree`), and the snippets (`index.highlight`). Each engine is a room of its own:
nothing of the shared core imports either (tests/test_layering.py).

Flow: an `Article` from the crawler -> `index.ingest.to_record()` (language per paragraph, facets, reprint
group) -> `SearchIndex.add()` -> `SearchIndex.search()`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from index.models import (
    FACETS,
    SORTS,
    Amount,
    Evidence,
    FacetValue,
    Facts,
    Hit,
    Record,
    SearchRequest,
    SearchResult,
    Span,
)

if TYPE_CHECKING:
    from index.config import EngineConfig

__all__ = [
    "FACETS",
    "SORTS",
    "Amount",
    "Evidence",
    "FacetValue",
    "Facts",
    "Hit",
    "Record",
    "SearchIndex",
    "SearchIndexError",
    "SearchRequest",
    "SearchResult",
    "Span",
    "open_index",
]


class SearchIndexError(Exception):
    """The index package's one exception family; the message is for the user."""


class QueryError(SearchIndexError):
    """A request the index cannot answer as asked (bad filter value, bad date); the message says why."""


class SearchIndex(Protocol):
    """What searchapp may ask of an index."""

    def add(self, records: Iterable[Record]) -> int:
        """Add or replace records (by id); returns how many were written. Commits before returning."""
        ...

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of hits, facet counts over all matches, and a notice when the query was repaired."""
        ...

    def get(self, record_id: str) -> Record | None: ...

    def count(self) -> int: ...

    def iter_records(self, request: SearchRequest, limit: int) -> Iterator[Record]:
        """Every match of the request in its sort order, up to `limit`: for export and feeds."""
        ...

    def more_like_this(self, record_id: str, limit: int = 5) -> list[Hit]: ...

    def group(self, group_id: str) -> list[Record]:
        """Every article of a reprint group."""
        ...

    def histogram(self, request: SearchRequest, by: str = "lang") -> dict[str, dict[str, int]]:
        """Matches per month ("2025-02") split by `by` (lang or region): attention over time."""
        ...

    def optimize(self) -> None:
        """Merge what bulk loads and commits left into one segment, the fastest to search (after a reindex)."""
        ...

    def hand_down(self) -> None:
        """Build what the serving processes forked after this call can share instead of each building its own
        (`searchapp serve` calls it in the parent); an engine that holds nothing in the app's memory does nothing."""
        ...

    def generation(self) -> str:
        """Changes whenever the index content changes: for ETags and searcher refresh."""
        ...

    def warm(self) -> None:
        """Prepare now what the first search needs, and from then on prepare each new generation in the background,
        so that no search waits for it (a serving process calls this before it accepts requests). An engine that
        needs no preparation inherits this no-op."""
        return None

    def close(self) -> None: ...


# A rebuilt index is made in `<path>.new` and marked complete with this file before it is swapped in with two
# renames (`<path>` -> `<path>.old`, `<path>.new` -> `<path>`).
REBUILT_MARK = "REBUILT"


def finish_swap(path: Path) -> None:
    """Finish a swap that a kill cut between its two renames: the complete rebuilt index is put in place."""
    rebuilt = path.with_name(path.name + ".new")
    if not path.exists() and (rebuilt / REBUILT_MARK).exists():
        with contextlib.suppress(FileNotFoundError):  # another process finished it first
            rebuilt.rename(path)


def open_index(path: Path, *, readonly: bool = False, engine: EngineConfig | None = None) -> SearchIndex:
    """Open (or create) the index of `path` (the data folder's index/) on the configured engine (`engine`, else
    the `SEARCHAPP_*` variables: `index.config`); on Whoosh, finishing a swap a kill cut short."""
    from index.config import EngineConfig

    config = engine if engine is not None else EngineConfig.from_env()
    if config.engine == "opensearch":
        try:
            from index.opensearch import OpenSearchIndex
        except ImportError as exc:
            raise SearchIndexError(
                "SEARCHAPP_ENGINE=opensearch needs the opensearch extra: pip install 'kz-press-search[opensearch]'"
            ) from exc
        return OpenSearchIndex(path, config, readonly=readonly)
    from index.whoosh.engine import WhooshIndex

    finish_swap(path)
    return WhooshIndex(path, readonly=readonly)
