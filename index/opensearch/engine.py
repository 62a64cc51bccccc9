"""`OpenSearchIndex`: the `SearchIndex` of `index/__init__.py` on an OpenSearch cluster.

Analysis stays ours: Kazakh has no stemmer in any engine, so each text field's analyzer (`index.schema`) runs
here, in Python, and OpenSearch indexes the tokens with its `whitespace` analyzer, one field per language and
part and the two folded fields, as the Whoosh index has them. Facets are `keyword` fields with the values the
Whoosh index keeps (parents included); the day and the KZT amounts are numbers. The records live in `_source`,
so any app server can answer, and the token fields stay in it. Left out (`_source.excludes`), every source was parsed
and written again as it was indexed, and each node kept a second, whole copy of it for recovery (`_recovery_source`)
until the merge: at 100k articles 2.21 ms of cluster CPU an article against 1.97 kept in, for an index of 0.75 GB
against 1.3 GB and a query mix p95 of 42 to 44 ms against 49 to 50 (docs/performance.md#scaling-out).

Names: the data folder keeps an id (`opensearch-id`), and the index is the alias `<prefix>-<id>`, which points
at one concrete index `<prefix>-<id>-<time>`. A rebuild fills a new concrete index and then moves the alias in
one step (`begin_rebuild`, `finish_rebuild`), so searches never see half an index.

Search: BM25 per field with the title boost and a title `b` of 0.5 (as Whoosh's BM25F), times the recency prior
as a decay function; facet filters go in a `post_filter` and each facet's counts come from a filter aggregation
that leaves its own filter out; reprints fold with `collapse` on the group field; the attention chart is a
date histogram; export and feeds page through a point in time. Reprint groups are found as in the Whoosh index,
by SimHash within 8 bits, in the same in-memory multi-index (`index.store._Fingerprints`), which each writing
process fills from the SimHashes kept as doc values and keeps up with what other writers add; the workers of a
rebuild each keep to their own, and `regroup` groups what they met apart once the load is in.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy import exceptions as osx

from crawler.dedup import simhash as simhash_of
from index import SearchIndex, SearchIndexError, qtree
from index.config import EngineConfig
from index.document import MAX_GROUP_BITS, day_number, index_document
from index.highlight import Highlighter, snippet
from index.models import FACETS, FacetValue, Hit, Record, SearchRequest, SearchResult
from index.opensearch.query import to_dsl
from index.parse import NOTICE_ANY, ParsedQuery, QueryBuilder
from index.schema import FACET_FIELDS, FOLD_FIELDS, LANGS, TEXT_FIELDS, TITLE_FIELDS, UNDATED, build_schema
from index.store import _Fingerprints, record_from_dict, record_to_dict

__all__ = ["OpenSearchIndex", "alias_name"]

ID_FILE = "opensearch-id"
REBUILD_FILE = "opensearch-rebuild"
FACET_SIZE = 10_000  # facet values counted at most per facet (Whoosh counts every value)
GROUP_PRECISION = 40_000  # reprint groups counted exactly up to this many in one answer (OpenSearch's limit)
MAX_WINDOW = 100_000  # deepest page a search may ask for
BULK_RETRIES = 10  # a rejected (429, 503) bulk item is sent again this often, with doubling waits, before failing
TRANSIENT = (429, 503)  # item statuses that say "later", not "never"
GREEN = {"wait_for_status": "green", "request_timeout": 40}  # (the API's own `timeout` name is the client's)
CHECKPOINT_SYNC = 1.0  # seconds between a rebuild's two flushes: the global checkpoint reaches disk (`_commit`)
REPLICA_WAIT = 1800.0  # seconds a rebuild waits for its new index's replicas before giving up
SYNC_PAGE = 5000  # fingerprints read a request when catching up with what others wrote
SYNC_LAG_NS = 2_000_000_000  # how far back each catch-up reads again (writes of other processes land late)
# A rebuild's new index never refreshes by time while it loads (nobody searches it; its workers do not catch up
# with each other's articles either: `regroup` groups them after). Segments are then written only when a node's
# indexing buffer or the translog is full, large enough that no background merge starts, and the whole index is
# merged in one pass at the end (`_merge_loaded`). At 100k articles, a refresh every 30 s instead spent 141 s of
# node time writing small segments and 109 s merging them again and again; see docs/performance.md#scaling-out.
MAX_SEGMENT_BYTES = 5 * 1024**3  # OpenSearch's index.merge.policy.max_merged_segment: background merges stop there
MERGE_FLOOR_BYTES = 64 * 1024**2  # a smaller load is left to the background merges (not worth LEASE_WAIT)
MERGE_WAIT = 1800.0  # seconds a call waits for a rebuild's merge (a timed-out call is sent again: it waits anew)
LEASE_WAIT = 90.0  # seconds a rebuild waits for its history to be released before merging (the nodes renew every 30)
RECENCY_PRIOR = 0.15  # as index.whoosh.ranking.PRIOR: a score times 1 + 0.15 * 2^(-age / 365 days)
TITLE_B = 0.5  # as index.whoosh.engine._weighting: BM25's length normalisation of titles


def alias_name(config: EngineConfig, data_root: Path, *, create: bool) -> str:
    """The alias of a data folder's index: the prefix and the id kept in the folder (made when `create`)."""
    file = data_root / ID_FILE
    try:
        data_id = file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            raise SearchIndexError(
                f"there is no index for {data_root} in the cluster yet: crawl or reindex first"
            ) from None
        data_root.mkdir(parents=True, exist_ok=True)
        data_id = secrets.token_hex(6)
        tmp = file.with_suffix(".tmp")
        tmp.write_text(data_id + "\n", encoding="ascii")
        tmp.rename(file)
    return f"{config.prefix}-{data_id}"


def index_settings(config: EngineConfig) -> dict[str, Any]:
    """Settings and mapping of a new concrete index."""
    text_title = {"type": "text", "analyzer": "whitespace", "similarity": "title_bm25"}
    text_body = {"type": "text", "analyzer": "whitespace"}
    text_fold = {"type": "text", "analyzer": "whitespace", "index_options": "freqs"}  # no phrases there
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        "grp": {"type": "keyword"},  # the group id, or the article's own id when alone
        "gid": {"type": "keyword"},  # the group id, "" when alone
        "day": {"type": "integer"},
        "date": {"type": "date", "format": "strict_date"},
        "amount": {"type": "double"},
        "amount_top": {"type": "double"},
        "seq": {"type": "long"},  # order of addition: ties and "oldest" for reprint groups
        "gen": {"type": "long"},  # when written: the index's generation is the largest
        "sim": {"type": "keyword", "index": False},  # SimHash, hex (read as a doc value for reprint groups)
        "record": {"type": "object", "enabled": False},
    }
    for name in TEXT_FIELDS:
        properties[name] = text_title if name in TITLE_FIELDS else text_fold if name in FOLD_FIELDS else text_body
    for name in FACET_FIELDS:
        properties[name] = {"type": "keyword"}
    return {
        "settings": {
            "index": {
                "number_of_shards": config.shards,
                "number_of_replicas": config.replicas,
                "max_result_window": MAX_WINDOW,
                "similarity": {"title_bm25": {"type": "BM25", "k1": 1.2, "b": TITLE_B}},
            }
        },
        "mappings": {"dynamic": "strict", "properties": properties},
    }


class _Unreachable(SearchIndexError):
    pass


def _call(what: str, urls: tuple[str, ...], fn: Callable[[], Any]) -> Any:
    """Run a cluster call, its failures said in words (the app answers 503 with them)."""
    try:
        return fn()
    except osx.SSLError as exc:  # a setting to fix, not an outage: said before "cannot be reached"
        where = ", ".join(urls)
        if "certificate" in str(exc).lower():
            raise SearchIndexError(
                f"the search cluster's certificate ({where}) is not trusted ({what}): name the CA that signed it in "
                "SEARCHAPP_OPENSEARCH_CA_CERTS, or set SEARCHAPP_OPENSEARCH_VERIFY_CERTS=0"
            ) from exc
        raise SearchIndexError(f"no TLS connection to the search cluster ({where}, {what}): is it https?") from exc
    except osx.AuthenticationException as exc:  # 401
        raise SearchIndexError(
            f"the search cluster ({', '.join(urls)}) refused the user name or password ({what}): check "
            "SEARCHAPP_OPENSEARCH_USER and SEARCHAPP_OPENSEARCH_PASSWORD"
        ) from exc
    except osx.AuthorizationException as exc:  # 403
        raise SearchIndexError(
            f"the search cluster ({', '.join(urls)}) does not allow SEARCHAPP_OPENSEARCH_USER {what}"
        ) from exc
    except (osx.ConnectionError, osx.ConnectionTimeout) as exc:
        raise _Unreachable(
            f"the search cluster ({', '.join(urls)}) cannot be reached ({what}); it is retried on the next request"
        ) from exc
    except osx.NotFoundError as exc:
        raise SearchIndexError(f"the index is missing in the search cluster ({what}): crawl or reindex first") from exc
    except osx.TransportError as exc:
        raise SearchIndexError(f"the search cluster refused {what}: {exc.status_code} {str(exc.error)[:200]}") from exc


class OpenSearchIndex(SearchIndex):
    """The index of one data folder, in a cluster. `path` is the data folder's index/ directory."""

    def __init__(
        self,
        path: Path,
        config: EngineConfig,
        *,
        readonly: bool = False,
        target: str | None = None,
        client: OpenSearch | None = None,
    ) -> None:
        self.path = Path(path)
        self.config = config
        self.readonly = readonly
        self.client = client or connect(config)
        self.alias = alias_name(config, self.path.parent, create=not readonly)
        self.target = target or self.alias  # where writes go: the alias, or a concrete index being rebuilt
        self.schema = build_schema()
        self._queries = QueryBuilder(self.schema)
        self._prints = _Fingerprints([])  # the SimHash table for reprint groups, filled on the first add
        self._seen: tuple[int, str] = (0, "")  # (gen, id) of the newest document in it
        self._synced = False  # whether it was read from the index once
        self._analyzers: dict[str, Any] = {name: self.schema[name].analyzer for name in TEXT_FIELDS}
        self._lock = threading.Lock()
        if target is None:
            exists = self._call("a look for the index", lambda: self.client.indices.exists_alias(name=self.alias))
            if not exists:
                if readonly:
                    raise SearchIndexError(f"there is no index {self.alias} in the cluster yet: crawl or reindex first")
                self._create_live()

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        return _call(what, self.config.urls, fn)

    def _create_live(self) -> None:
        name = self.new_index_name()
        self.create_concrete(name)
        try:
            self.client.indices.update_aliases(body={"actions": [{"add": {"index": name, "alias": self.alias}}]})
        except osx.TransportError:
            # another process made the alias first: keep its index
            self.client.indices.delete(index=name, ignore_unavailable=True)
            if not self.client.indices.exists_alias(name=self.alias):
                raise

    # ------------------------------------------------------------------------------------------ rebuilds
    def new_index_name(self) -> str:
        return f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(2)}"

    def create_concrete(self, name: str, replicas: int | None = None, refresh: str | None = None) -> None:
        settings = index_settings(self.config)
        if replicas is not None:
            settings["settings"]["index"]["number_of_replicas"] = replicas
        if refresh is not None:
            settings["settings"]["index"]["refresh_interval"] = refresh
        self._call(
            "creating an index",
            lambda: self.client.indices.create(index=name, body=settings, wait_for_active_shards=1),
        )

    def begin_rebuild(self) -> tuple[str, bool]:
        """The concrete index a rebuild fills: the one a killed rebuild left (resumed: True), else a new one."""
        state = self.path.parent / REBUILD_FILE
        if state.exists():
            name = state.read_text(encoding="ascii").strip()
            if name and self._call("a look for the rebuilt index", lambda: self.client.indices.exists(index=name)):
                # what the killed run wrote since the last refresh becomes visible to the catch-ups now
                self._call("a refresh", functools.partial(self.client.indices.refresh, index=name))
                return name, True
        name = self.new_index_name()
        # Loaded without replicas (each document analysed and written once, not once per copy), then copied to
        # the configured replicas as whole segment files before the alias moves (`finish_rebuild`). A node lost
        # during the load holds the only copy of its shards until it returns: the bulk retries wait for it.
        # It refreshes only when asked while it loads, and as configured once the alias points at it.
        self.create_concrete(name, replicas=0, refresh="-1")
        state.write_text(name + "\n", encoding="ascii")
        return name, False

    def finish_rebuild(self, name: str) -> None:
        """Merge the rebuilt index, give it its replicas, point the alias at it in one step, then drop the indexes
        it pointed at before."""
        self._call("a refresh", lambda: self.client.indices.refresh(index=name))
        self._commit(name)
        self._merge_loaded(name)
        replicas = {"index": {"number_of_replicas": self.config.replicas, "refresh_interval": None}}
        self._call("adding replicas", lambda: self.client.indices.put_settings(index=name, body=replicas))
        deadline = time.monotonic() + REPLICA_WAIT
        while True:  # the health call waits up to 30 s a time for the replicas to be copied
            if self._green(name):
                break
            if time.monotonic() > deadline:
                raise SearchIndexError(f"the rebuilt index's replicas were not placed within {REPLICA_WAIT:.0f} s")
        old = self._concrete()
        actions: list[dict[str, Any]] = [{"remove": {"index": o, "alias": self.alias}} for o in old if o != name]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call("switching the alias", lambda: self.client.indices.update_aliases(body={"actions": actions}))
        for o in old:
            if o != name:
                self._call("dropping the old index", functools.partial(self.client.indices.delete, index=o))
        (self.path.parent / REBUILD_FILE).unlink(missing_ok=True)

    def _primaries(self, name: str) -> list[dict[str, Any]]:
        """The shard-level statistics of an index's primary copies: size, sequence numbers, retention leases."""
        stats = self._call(
            "reading the index's statistics",
            lambda: self.client.indices.stats(index=name, metric="store,docs", level="shards"),
        )
        return [
            copy
            for index in stats["indices"].values()
            for copies in index["shards"].values()
            for copy in copies
            if copy["routing"]["primary"]
        ]

    def _history_released(self, name: str) -> bool:
        """Whether every primary's retention leases have moved past its last operation: until then a merge keeps
        the deleted documents (the history a copy may need). The nodes move the leases every 30 s after a flush."""
        return all(
            int(lease["retaining_seq_no"]) > int(p["seq_no"]["max_seq_no"])
            for p in self._primaries(name)
            for lease in p["retention_leases"]["leases"]
        )

    def _merge_loaded(self, name: str) -> None:
        """Merge each shard of a flushed index to as few segments as keep every one under MAX_SEGMENT_BYTES, in one
        pass: for a rebuild's load, every byte merged once, on the primaries alone (the replicas then copy the
        merged files). 100k articles: the load's segments (1.5 GB) became one of 1.3 GB in 24 s of one node's
        merge thread, and the query mix's p95 went from 61-74 ms unmerged to 49-50. Segments stay small enough
        for the background merges of later writes."""
        largest = max((int(p["store"]["size_in_bytes"]) for p in self._primaries(name)), default=0)
        if largest < MERGE_FLOOR_BYTES:
            return
        deadline = time.monotonic() + LEASE_WAIT
        while not self._history_released(name) and time.monotonic() < deadline:
            time.sleep(1.0)
        segments = max(1, math.ceil(largest / MAX_SEGMENT_BYTES))  # the size before merging: an upper bound
        merge = functools.partial(
            self.client.indices.forcemerge, index=name, max_num_segments=segments, request_timeout=MERGE_WAIT
        )
        self._call("merging the index", merge)
        # the merged segment is committed; a refresh lets the searchers drop the old ones (and the disk their files)
        self._call("a refresh", functools.partial(self.client.indices.refresh, index=name))

    def _commit(self, name: str) -> None:
        """Write the loaded index to a Lucene commit that its replicas can copy as files. A replica copies the
        newest commit whose operations the global checkpoint covers, and replays every operation after it;
        the checkpoint that covers the load is written to disk only after the load's first flush, so without
        a second (forced) flush the replicas start from the empty first commit and index every article again
        (2 ms of cluster CPU an article, more than the load itself)."""
        for force in ("false", "true"):
            flush = functools.partial(
                self.client.indices.flush, index=name, params={"force": force, "wait_if_ongoing": "true"}
            )
            self._call("a flush", flush)
            if force == "false":
                time.sleep(CHECKPOINT_SYNC)

    def _green(self, name: str) -> bool:
        """Whether the index has every copy placed, after waiting up to 30 s for it (a 408 says not yet)."""

        def ask() -> bool:
            try:
                return bool(self.client.cluster.health(index=name, params=GREEN).get("status") == "green")
            except osx.TransportError as exc:
                if exc.status_code == 408:
                    return False
                raise

        return bool(self._call("waiting for the rebuilt index's replicas", ask))

    def _concrete(self) -> list[str]:
        try:
            found = self.client.indices.get_alias(name=self.alias)
        except osx.NotFoundError:
            return []
        except (osx.ConnectionError, osx.ConnectionTimeout):
            return self._call("a look at the alias", lambda: self.client.indices.get_alias(name=self.alias))
        return sorted(found)

    # ------------------------------------------------------------------------------------------ writing
    def document(self, record: Record, seq: int, simhash: int) -> dict[str, Any]:
        """The source of one record: its tokens per text field, facets, numbers and the record itself."""
        doc = index_document(record)
        out: dict[str, Any] = {
            "id": record.id,
            "grp": record.group_id or record.id,
            "gid": record.group_id,
            "day": doc["day"],
            "amount_top": doc["amount_top"],
            "seq": seq,
            "gen": time.time_ns(),
            "sim": f"{simhash:016x}",
            "record": record_to_dict(record),
        }
        if doc["day"] != UNDATED and record.published:
            out["date"] = record.published[:10] if len(record.published) >= 10 else None
            if out["date"] is None:
                del out["date"]
        if "amount" in doc:
            out["amount"] = doc["amount"]
        for name in TEXT_FIELDS:
            text = doc.get(name)
            if text:
                out[name] = " ".join(t.text for t in self._analyzers[name](text))
        for name in FACET_FIELDS:
            if name in doc:
                out[name] = doc[name].split(" ")
        return out

    def add(self, records: Iterable[Record]) -> int:
        if self.readonly:
            raise SearchIndexError("this index was opened read-only")
        batch = list(records)
        if not batch:
            return 0
        base = time.time_ns()
        hashes = [r.simhash if r.simhash is not None else int(simhash_of(r.text)) for r in batch]
        seqs = [base + i for i in range(len(batch))]
        reopened = self._assign_groups(batch, hashes, seqs)
        actions = [
            {"_op_type": "index", "_index": self.target, "_id": r.id, "_source": self.document(r, s, h)}
            for r, s, h in zip(batch, seqs, hashes, strict=True)
        ]
        actions += [
            {"_op_type": "index", "_index": self.target, "_id": r.id, "_source": self.document(r, s, h)}
            for r, s, h in reopened
        ]
        self.bulk(actions)
        if self.target == self.alias:
            # searches see what add() wrote once it returns, as on Whoosh; a rebuild's new index is searched by
            # nobody until its alias moves, so there the cluster refreshes on its own schedule (a second)
            self._call("a refresh", lambda: self.client.indices.refresh(index=self.target))
        return len(batch)

    def bulk(self, actions: list[dict[str, Any]]) -> None:
        """Index `actions`. Items the cluster rejects as too busy (429) or cannot place for now (503: a node left
        and its shards are being promoted) are sent again with doubling waits, never dropped; any other failed
        item, or one still failing after BULK_RETRIES rounds, stops the load with an `SearchIndexError`."""
        pending = actions
        wait = 0.5
        for round_no in range(BULK_RETRIES + 1):
            failed: list[dict[str, Any]] = []
            by_id = {a["_id"]: a for a in pending}

            def run(
                todo: list[dict[str, Any]] = pending,
                failed: list[dict[str, Any]] = failed,
                by_id: dict[str, dict[str, Any]] = by_id,
                last: bool = round_no == BULK_RETRIES,
            ) -> None:
                for ok, item in helpers.streaming_bulk(
                    self.client,
                    todo,
                    chunk_size=500,
                    max_retries=BULK_RETRIES,
                    initial_backoff=1,
                    max_backoff=10,
                    raise_on_error=False,
                    raise_on_exception=True,
                ):
                    if not ok:
                        info = next(iter(item.values()))
                        status = int(info.get("status") or 0)
                        if status not in TRANSIENT or last:
                            raise SearchIndexError(
                                f"the search cluster refused article {info.get('_id')}: "
                                f"{status} {str(info.get('error'))[:200]}"
                            )
                        failed.append(by_id[info["_id"]])

            try:
                self._call("a bulk load", run)
            except _Unreachable:
                if round_no == BULK_RETRIES:
                    raise
                failed = pending  # every node of the list failed at once: wait and send the whole batch again
            if not failed:
                return
            time.sleep(wait)
            wait = min(wait * 2, 10.0)
            pending = failed

    def _sync_prints(self) -> _Fingerprints:
        """This process's table of every article's SimHash, group and order (`index.store._Fingerprints`, the
        Whoosh index's multi-index), brought up to date with what anyone wrote since the last call: the
        documents written later than the newest one seen, read as doc values in order of writing."""
        prints = self._prints
        if self._synced and self.target != self.alias:
            # a rebuild: what the index held when this process began (a killed run's part) is read once; what
            # other workers add meanwhile is grouped with this process's articles by `regroup` once all is in
            return prints
        self._synced = True
        # A document another process stamped a moment before this one's newest may become visible only now:
        # the last SYNC_LAG_NS are read again (putting a known article again changes nothing).
        after: list[Any] = [max(0, self._seen[0] - SYNC_LAG_NS), ""]
        while True:
            body: dict[str, Any] = {
                "size": SYNC_PAGE,
                "_source": False,
                "docvalue_fields": ["sim", "seq", "gid", "gen"],
                "sort": [{"gen": "asc"}, {"id": "asc"}],
                "query": {"range": {"gen": {"gte": after[0]}}},
                "search_after": after,
                "track_total_hits": False,
            }
            page = self._call(
                "a reprint lookup", functools.partial(self.client.search, index=self.target, body=body)
            )["hits"]["hits"]
            for hit in page:
                fields = hit["fields"]
                prints.put(hit["_id"], int(fields["sim"][0], 16), (fields.get("gid") or [""])[0], fields["seq"][0])
            if page:
                after = [int(page[-1]["sort"][0]), str(page[-1]["sort"][1])]
                self._seen = (after[0], after[1])
            if len(page) < SYNC_PAGE:
                return prints

    def _assign_groups(
        self, batch: list[Record], hashes: list[int], seqs: list[int]
    ) -> list[tuple[Record, int, int]]:
        """Each record's reprint group, as the Whoosh index decides it: the group of the nearest, then oldest,
        article within MAX_GROUP_BITS, in the index or earlier in this batch. Returns the indexed articles that
        open a group with this batch (and must be written again with it)."""
        prints = self._sync_prints()
        in_batch = {r.id: r for r in batch}
        opened: dict[str, str] = {}  # indexed article -> the group it opens
        for record, simhash, seq in zip(batch, hashes, seqs, strict=True):
            near = prints.near(simhash, MAX_GROUP_BITS, exclude=record.id) if simhash else []
            if not near:
                record.group_id = ""
            else:
                near.sort(key=lambda row: (row[3], row[2]))
                other_id, other_group, _seq, _distance = near[0]
                group_id = other_group or other_id
                if not other_group:
                    prints.set_group(other_id, group_id)
                    if other_id in in_batch:
                        in_batch[other_id].group_id = group_id
                    else:
                        opened[other_id] = group_id
                record.group_id = group_id
            prints.put(record.id, simhash, record.group_id, seq)
        reopened: list[tuple[Record, int, int]] = []
        if opened:
            found = self._call(
                "reading reprints",
                lambda: self.client.mget(index=self.target, body={"ids": list(opened)}, _source_includes="record,gid"),
            )
            for doc in found["docs"]:
                if not doc.get("found"):
                    continue
                other = _record(doc["_source"])
                other.group_id = opened[doc["_id"]]
                row = prints.get(doc["_id"])
                if row is not None:
                    reopened.append((other, row[2], row[0]))
        return reopened

    def regroup(self) -> int:
        """After a load by several processes at once: each article's reprint group as one writer adding them in
        order of addition (`seq`) finds it. The workers of a rebuild do not read each other's articles while they
        load (`_sync_prints`), so reprints that two workers met were left apart; here they are grouped. The
        articles whose group changes are written again; returns how many."""
        self._call("a refresh", functools.partial(self.client.indices.refresh, index=self.target))
        rows: list[tuple[str, int, str, int]] = []  # id, SimHash, group as written, seq
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "size": SYNC_PAGE,
                "_source": False,
                "docvalue_fields": ["sim", "seq", "gid"],
                "sort": [{"seq": "asc"}, {"id": "asc"}],
                "track_total_hits": False,
            }
            if after is not None:
                body["search_after"] = after
            page = self._call(
                "reading the fingerprints", functools.partial(self.client.search, index=self.target, body=body)
            )["hits"]["hits"]
            for hit in page:
                fields = hit["fields"]
                gid = (fields.get("gid") or [""])[0]
                rows.append((hit["_id"], int(fields["sim"][0], 16), gid, int(fields["seq"][0])))
            if len(page) < SYNC_PAGE:
                break
            after = page[-1]["sort"]
        prints = _Fingerprints([])
        groups: dict[str, str] = {}
        for record_id, simhash, _written, seq in rows:  # as `_assign_groups`, one article after the other
            near = prints.near(simhash, MAX_GROUP_BITS, exclude=record_id) if simhash else []
            group_id = ""
            if near:
                near.sort(key=lambda row: (row[3], row[2]))
                other_id, other_group, _seq, _distance = near[0]
                group_id = other_group or other_id
                if not other_group:
                    prints.set_group(other_id, group_id)
                    groups[other_id] = group_id
            prints.put(record_id, simhash, group_id, seq)
            groups[record_id] = group_id
        changed = [record_id for record_id, _h, written, _s in rows if groups[record_id] != written]
        for start in range(0, len(changed), SYNC_PAGE // 10):
            ids = changed[start : start + SYNC_PAGE // 10]
            read = functools.partial(
                self.client.mget, index=self.target, body={"ids": ids}, _source_includes="record,gid"
            )
            found = self._call("reading reprints", read)
            actions = []
            for doc in found["docs"]:
                row = prints.get(doc["_id"])
                if doc.get("found") and row is not None:
                    record = _record(doc["_source"])
                    record.group_id = groups[doc["_id"]]
                    source = self.document(record, row[2], row[0])
                    actions.append({"_op_type": "index", "_index": self.target, "_id": doc["_id"], "_source": source})
            self.bulk(actions)
        return len(changed)

    def hand_down(self) -> None:
        """Nothing to share: the cluster holds the facet columns, not the app's processes."""

    def optimize(self) -> None:
        if self.readonly:
            raise SearchIndexError("this index was opened read-only")
        self._call("a merge", lambda: self.client.indices.forcemerge(index=self.target, max_num_segments=1))

    # ------------------------------------------------------------------------------------------ reading
    def generation(self) -> str:
        """The concrete index, its article count and its newest write: one small search, asked every time,
        since another process (a crawl, a worker, another app server) may have written a moment ago."""
        answer = self._call(
            "a generation lookup",
            lambda: self.client.search(
                index=self.alias,
                body={"size": 1, "_source": False, "track_total_hits": True, "sort": [{"gen": "desc"}]},
            ),
        )
        top = answer["hits"]["hits"]
        concrete = top[0]["_index"] if top else ",".join(self._concrete())
        newest = int(top[0]["sort"][0]) if top else 0
        return f"{concrete}.{answer['hits']['total']['value']}.{newest}"

    def count(self) -> int:
        return int(self._call("a count", lambda: self.client.count(index=self.alias))["count"])

    def get(self, record_id: str) -> Record | None:
        def read() -> dict[str, Any] | None:
            try:
                found: dict[str, Any] = self.client.get(index=self.alias, id=record_id, _source_includes="record,gid")
            except osx.NotFoundError as exc:
                if exc.error == "index_not_found_exception":
                    raise
                return None
            return found

        found = self._call("reading an article", read)
        return _record(found["_source"]) if found else None

    def group(self, group_id: str) -> list[Record]:
        if not group_id:
            return []
        answer = self._search(
            {
                "size": 1000,
                "_source": ["record", "gid"],
                "query": {"term": {"gid": group_id}},
                "sort": [{"seq": "asc"}],
            },
            "reading a reprint group",
        )
        records = [_record(h["_source"]) for h in answer["hits"]["hits"]]
        if not records:
            record = self.get(group_id)
            return [record] if record else []
        return records

    def _search(self, body: dict[str, Any], what: str = "a search", **kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call(what, lambda: self.client.search(index=self.alias, body=body, **kwargs))
        return result

    # ------------------------------------------------------------------------------------------ search
    def _parse(
        self, text: str, any_word: bool = False, translate: bool = False
    ) -> tuple[ParsedQuery, qtree.Node | None]:
        """The parsed query (with its cross-language expansion when `translate`) and its tree."""
        parsed = self._queries.parse(text, any_word=any_word, translate=translate)
        return parsed, parsed.query

    @staticmethod
    def _bounds(request: SearchRequest) -> list[dict[str, Any]]:
        bounds: list[dict[str, Any]] = []
        if request.date_from:
            bounds.append({"range": {"day": {"gte": day_number(request.date_from)}}})
        if request.date_to:
            bounds.append({"range": {"day": {"lte": day_number(request.date_to), "gt": day_number("0001-01-02")}}})
        if request.amount_max is None and request.amount_min is not None and request.amount_min > 0:
            bounds.append({"range": {"amount_top": {"gte": request.amount_min}}})
        elif request.amount_min is not None or request.amount_max is not None:
            span: dict[str, float] = {}
            if request.amount_min is not None:
                span["gte"] = request.amount_min
            if request.amount_max is not None:
                span["lte"] = request.amount_max
            bounds.append({"range": {"amount": span}})
        return bounds

    @staticmethod
    def _facet_filters(request: SearchRequest) -> dict[str, dict[str, Any]]:
        return {name: {"terms": {name: list(values)}} for name, values in request.filters().items() if values}

    def _query(self, node: qtree.Node | None, request: SearchRequest, *, scored: bool) -> dict[str, Any]:
        """The query of the text and the bounds (dates, amounts); scored with the recency prior if asked."""
        must = to_dsl(node) if node is not None else {"match_all": {}}
        query: dict[str, Any] = {"bool": {"must": [must], "filter": self._bounds(request)}}
        if scored and node is not None and request.sort == "relevance":
            query = {
                "function_score": {
                    "query": query,
                    "functions": [
                        {"weight": 1.0},
                        {
                            "filter": {"exists": {"field": "date"}},
                            "exp": {"date": {"origin": "now", "scale": "365d", "decay": 0.5}},
                            "weight": RECENCY_PRIOR,
                        },
                    ],
                    "score_mode": "sum",
                    "boost_mode": "multiply",
                }
            }
        return query

    @staticmethod
    def _sort(request: SearchRequest, node: qtree.Node | None) -> list[Any]:
        if request.sort == "relevance" and node is not None:
            return ["_score", {"seq": "asc"}]
        if request.sort == "amount":
            return [{"amount_top": "desc"}, {"day": "desc"}, {"seq": "desc"}]
        if request.sort == "date_asc":
            return [{"date": {"order": "asc", "missing": "_last"}}, {"seq": "asc"}]
        return [{"day": "desc"}, {"seq": "desc"}]

    def _plan(self, request: SearchRequest) -> tuple[ParsedQuery, qtree.Node | None]:
        """The parsed query, with the any-word fallback when no article has all of a plain query's words."""
        parsed, node = self._parse(request.q, translate=request.xlang)
        if node is not None and parsed.plain and parsed.words > 1:
            body = {"query": to_dsl(node)}  # the text alone, whatever the bounds (as `search` decides it)
            found = self._call("a count", lambda: self.client.count(index=self.alias, body=body))["count"]
            if not found:
                parsed, node = self._parse(request.q, any_word=True, translate=request.xlang)
                parsed.notice = parsed.notice or NOTICE_ANY
        return parsed, node

    def search(self, request: SearchRequest) -> SearchResult:
        parsed, node = self._parse(request.q, translate=request.xlang)
        fallback = node is not None and parsed.plain and parsed.words > 1
        answer, total, facets, matched = self._search_page(request, node, text_matches=fallback)
        if fallback and not matched:
            # no article has all the words (whatever the facet filters): any of them, and say so
            parsed, node = self._parse(request.q, any_word=True, translate=request.xlang)
            parsed.notice = parsed.notice or NOTICE_ANY
            answer, total, facets, _matched = self._search_page(request, node)
        hits = self._hits(answer["hits"]["hits"], node, with_groups=request.group, request=request)
        return parsed.result(total, request.page, request.per_page, hits, facets)

    def _search_page(
        self, request: SearchRequest, node: qtree.Node | None, *, text_matches: bool = False
    ) -> tuple[dict[str, Any], int, dict[str, list[FacetValue]], int]:
        """One request: the page, the total and every facet's counts; with `text_matches`, also how many articles
        match the text alone, whatever the dates, amounts and facets (as the Whoosh index decides its any-word
        fallback), else how many match the text and the bounds."""
        filters = self._facet_filters(request)
        start = (request.page - 1) * request.per_page
        # a page past the deepest one the cluster pages to is past the results too (as on Whoosh, an empty page
        # with the counts): the cluster refuses from + size over its max_result_window
        beyond = start + request.per_page > MAX_WINDOW
        body: dict[str, Any] = {
            "query": self._query(node, request, scored=True),
            "from": 0 if beyond else start,
            "size": 0 if beyond else request.per_page,
            "sort": self._sort(request, node),
            "track_total_hits": True,
            "_source": ["record", "gid"],
        }
        aggs: dict[str, Any] = {}
        bounded = bool(self._bounds(request))
        if text_matches and bounded and node is not None:
            aggs["matched"] = {"global": {}, "aggs": {"text": {"filter": to_dsl(node)}}}
        if filters:
            body["post_filter"] = {"bool": {"filter": list(filters.values())}}
            if "matched" not in aggs:  # the matches before the facet filters (without filters: the total)
                aggs["matched"] = {"filter": {"match_all": {}}}
        # Facets not filtered are counted among the matches that pass every filter, as are the groups: they
        # share one filter bucket (no bucket at all without filters). A filtered facet is counted without its
        # own filter, in a bucket of its own: one aggregation per filter, not one per facet.
        shared: dict[str, Any] = {}
        if request.group:
            body["collapse"] = {"field": "grp"}
            # articles alone are counted exactly; only the reprinted ones need a distinct count of their groups
            # (exact up to GROUP_PRECISION groups among the matches, which covers any real archive's reprints)
            shared["alone"] = {"filter": {"term": {"gid": ""}}}
            shared["reprinted"] = {
                "filter": {"bool": {"must_not": [{"term": {"gid": ""}}]}},
                "aggs": {"n": {"cardinality": {"field": "gid", "precision_threshold": GROUP_PRECISION}}},
            }
        paths: dict[str, tuple[str, ...]] = {}
        if request.facets:
            for name in FACETS:
                terms = {"terms": {"field": name, "size": FACET_SIZE, "shard_size": FACET_SIZE}}
                if name not in filters:
                    shared[f"facet_{name}"] = terms
                    paths[name] = ("all", f"facet_{name}") if filters else (f"facet_{name}",)
                    continue
                others = [f for other, f in filters.items() if other != name]
                if others:
                    aggs[f"facet_{name}"] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": terms}}
                    paths[name] = (f"facet_{name}", "values")
                else:
                    aggs[f"facet_{name}"] = terms
                    paths[name] = (f"facet_{name}",)
        if filters and shared:
            aggs["all"] = {"filter": {"bool": {"filter": list(filters.values())}}, "aggs": shared}
        else:
            aggs.update(shared)
        if aggs:
            body["aggs"] = aggs
        answer = self._search(body)
        found = answer.get("aggregations", {})
        if request.group:
            groups = found["all"] if filters else found
            total = int(groups["alone"]["doc_count"]) + int(groups["reprinted"]["n"]["value"])
        else:
            total = int(answer["hits"]["total"]["value"])
        if "text" in found.get("matched", {}):
            matched = int(found["matched"]["text"]["doc_count"])
        elif filters:
            matched = int(found["matched"]["doc_count"])
        else:
            matched = int(answer["hits"]["total"]["value"])
        facets: dict[str, list[FacetValue]] = {}
        for name, path in paths.items():
            agg = found
            for key in path:
                agg = agg[key]
            values = [FacetValue(str(b["key"]), int(b["doc_count"])) for b in agg["buckets"]]
            have = {v.value for v in values}
            values += [FacetValue(v, 0) for v in request.filters().get(name, []) if v not in have]
            values.sort(key=lambda v: (-v.count, v.value))
            facets[name] = values
        return answer, total, facets, matched

    def _hits(
        self,
        raw: list[dict[str, Any]],
        node: qtree.Node | None,
        *,
        with_groups: bool,
        request: SearchRequest | None = None,
    ) -> list[Hit]:
        terms, prefixes = qtree.terms_of(node)
        highlighter = Highlighter(terms, prefixes)

        def hit(item: dict[str, Any]) -> Hit:
            record = _record(item["_source"])
            body = record.text or record.lead
            return Hit(record, float(item.get("_score") or 0.0), snippet(body, highlighter.match_spans(body)))

        hits = [hit(item) for item in raw]
        grouped = [h for h in hits if h.record.group_id]
        if with_groups and grouped:
            groups = sorted({h.record.group_id for h in grouped})
            # Whoosh's leader of a reprint group is the match with the best score BEFORE the recency prior (the
            # earliest on ties), while `collapse` kept the best score after it, a later reprint of equal text:
            # ranked by relevance, the same request without the prior and within these groups names the leaders
            leaders = request is not None and node is not None and request.sort == "relevance"
            body: dict[str, Any] = {
                "size": len(groups) if leaders else 0,
                "aggs": {
                    "all": {
                        "global": {},  # the outlets of each whole group, whatever matches
                        "aggs": {
                            "in": {
                                "filter": {"terms": {"gid": groups}},
                                "aggs": {
                                    "g": {
                                        "terms": {"field": "gid", "size": len(groups)},
                                        "aggs": {"s": {"terms": {"field": "source", "size": 1000}}},
                                    }
                                },
                            }
                        },
                    }
                },
            }
            if leaders and request is not None:
                body.update(self._leader_query(node, request, groups))
            else:
                body["query"] = {"terms": {"gid": groups}}
            answer = self._search(body, "reading reprint groups")
            by_group = {
                b["key"]: (int(b["doc_count"]), [s["key"] for s in b["s"]["buckets"]])
                for b in answer["aggregations"]["all"]["in"]["g"]["buckets"]
            }
            lead = {item["_source"].get("gid"): item for item in answer["hits"]["hits"]}
            for n, old in enumerate(hits):
                if not old.record.group_id:
                    continue
                item = lead.get(old.record.group_id)
                if item is not None and item["_id"] != old.record.id:
                    hits[n] = hit(item)
                    hits[n].score = old.score  # the group keeps its place
                size, sources = by_group.get(old.record.group_id, (1, []))
                if size > 1:
                    hits[n].group_size = size
                    hits[n].group_sources = sorted(set(sources) - {hits[n].record.source.lower()})
        return hits

    def _leader_query(self, node: qtree.Node | None, request: SearchRequest, groups: list[str]) -> dict[str, Any]:
        """The search that names the leader of each of `groups` among the matches: the best score before the
        recency prior, the earliest on ties (Whoosh's collapse), one hit per group."""
        inside = [{"terms": {"gid": groups}}, *self._facet_filters(request).values()]
        return {
            "query": {"bool": {"must": [self._query(node, request, scored=False)], "filter": inside}},
            "collapse": {"field": "grp"},
            "sort": ["_score", {"seq": "asc"}],
            "_source": ["record", "gid"],
        }

    def iter_records(self, request: SearchRequest, limit: int) -> Iterator[Record]:
        """Every match in the request's order, through a point in time (a stable view while paging)."""
        _parsed, node = self._plan(request)
        filters = self._facet_filters(request)
        query = self._query(node, request, scored=True)
        if filters:
            query = {"bool": {"must": [query], "filter": list(filters.values())}}
        pit = self._call(
            "opening a point in time", lambda: self.client.create_pit(index=self.alias, params={"keep_alive": "2m"})
        )["pit_id"]
        seen: set[str] = set()
        sent = 0
        after: list[Any] | None = None
        try:
            while sent < limit:
                body: dict[str, Any] = {
                    "size": min(1000, max(1, limit - sent) * (2 if request.group else 1)),
                    "query": query,
                    "sort": self._sort(request, node),
                    "_source": ["record", "gid"],
                    "pit": {"id": pit, "keep_alive": "2m"},
                    "track_total_hits": False,
                }
                if after is not None:
                    body["search_after"] = after
                answer = self._call("an export page", functools.partial(self.client.search, body=body))
                page = answer["hits"]["hits"]
                if not page:
                    return
                leaders: dict[str, Record] = {}
                if request.group and node is not None and request.sort == "relevance":  # as the pages show them
                    new = sorted({g for item in page if (g := item["_source"].get("gid")) and g not in seen})
                    if new:
                        found = self._search(
                            {"size": len(new), **self._leader_query(node, request, new)}, "reading reprint leaders"
                        )
                        leaders = {h["_source"]["gid"]: _record(h["_source"]) for h in found["hits"]["hits"]}
                for item in page:
                    source = item["_source"]
                    leader = None
                    if request.group:
                        group = source.get("gid") or item["_id"]
                        if group in seen:
                            continue
                        seen.add(group)
                        leader = leaders.get(group)
                    yield leader or _record(source)
                    sent += 1
                    if sent >= limit:
                        return
                after = page[-1]["sort"]
                pit = answer.get("pit_id", pit)
        finally:
            with contextlib.suppress(osx.TransportError, osx.ConnectionError):  # else it expires on its own
                self.client.delete_pit(body={"pit_id": [pit]})

    def more_like_this(self, record_id: str, limit: int = 5) -> list[Hit]:
        record = self.get(record_id)
        if record is None:
            return []
        lang = record.lang if record.lang in LANGS else "kk"
        field = f"body_{lang}"
        tokens = " ".join(t.text for t in self._analyzers[field](" ".join([record.title, record.lead, record.text])))
        if not tokens:
            return []
        body = {
            "size": limit,
            "_source": ["record", "gid"],
            "query": {
                "bool": {
                    "must": [
                        {
                            "more_like_this": {
                                "fields": [field],
                                "like": tokens,
                                "analyzer": "whitespace",
                                "max_query_terms": 12,
                                "min_term_freq": 1,
                                "min_doc_freq": 1,
                                "minimum_should_match": "1",
                            }
                        }
                    ],
                    "must_not": [{"ids": {"values": [record_id]}}, {"term": {"grp": record.group_id or record_id}}],
                }
            },
        }
        answer = self._search(body, "a search for similar articles")
        return self._hits(answer["hits"]["hits"], None, with_groups=True)

    def histogram(self, request: SearchRequest, by: str = "lang") -> dict[str, dict[str, int]]:
        if by not in ("lang", "region"):
            raise SearchIndexError(f"histogram by {by!r}: choose lang or region")
        _parsed, node = self._plan(request)
        filters = list(self._facet_filters(request).values())
        terms: dict[str, Any] = {"field": by, "size": FACET_SIZE}
        if by == "region":
            terms["include"] = "KZ-.*"
        body = {
            "size": 0,
            "query": {"bool": {"must": [self._query(node, request, scored=False)], "filter": filters}},
            "aggs": {
                "months": {
                    "date_histogram": {
                        "field": "date",
                        "calendar_interval": "month",
                        "format": "yyyy-MM",
                        "min_doc_count": 1,
                    },
                    "aggs": {"values": {"terms": terms}},
                }
            },
        }
        answer = self._search(body, "an attention chart")
        out: dict[str, dict[str, int]] = {}
        for bucket in answer["aggregations"]["months"]["buckets"]:
            values = {str(b["key"]): int(b["doc_count"]) for b in bucket["values"]["buckets"]}
            if values:
                out[str(bucket["key_as_string"])] = values
        return dict(sorted(out.items()))

    def close(self) -> None:
        self.client.close()


def _record(source: dict[str, Any]) -> Record:
    record = record_from_dict(dict(source["record"]))
    record.group_id = source.get("gid", record.group_id) or ""
    return record


def connect(config: EngineConfig) -> OpenSearch:
    """A client for the configured nodes: retries on another node when one fails, basic auth and TLS if set."""
    kwargs: dict[str, Any] = {
        "hosts": list(config.urls),
        "timeout": config.timeout,
        "max_retries": 3,
        "retry_on_timeout": True,
        "retry_on_status": (502, 503, 504),
        "verify_certs": config.verify_certs,
        "ssl_show_warn": config.verify_certs,
    }
    if config.user:
        # the header made here, in UTF-8 (RFC 7617; OpenSearch's security plugin decodes UTF-8): the client's
        # http_auth encodes Latin-1, so a Cyrillic password failed with a traceback and an accented one with a 401
        token = base64.b64encode(f"{config.user}:{config.password}".encode()).decode("ascii")
        kwargs["headers"] = {"authorization": f"Basic {token}"}
    if config.ca_certs:
        kwargs["ca_certs"] = config.ca_certs
    return OpenSearch(**kwargs)


def wait_until_green(config: EngineConfig, timeout: float = 60.0) -> None:
    """Wait for the cluster to answer green (every replica placed)."""
    client = connect(config)
    deadline = time.monotonic() + timeout
    while True:
        try:
            # (the health API waits up to 30 s by default; its own `timeout` cannot be sent: the client takes the name)
            answer = client.cluster.health(params=GREEN)
            if answer.get("status") == "green":
                return
            raise osx.ConnectionTimeout("TIMEOUT", "the cluster is not green yet", answer)
        except (osx.ConnectionError, osx.ConnectionTimeout, osx.TransportError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)

