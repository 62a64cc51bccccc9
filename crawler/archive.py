"""The WARC archive: every request and response the crawler makes, written before anything else happens to it.

The archive is the source of truth: `searchapp reindex` rebuilds the index from it alone. `ArchiveWriter`
appends a request and a response record per exchange to gzipped WARC files in DATA/archive/ (one gzip
member per record, so a reader can seek to any record), rotates files at a size, and flushes and fsyncs after
each exchange, so a `kill -9` loses nothing that was fetched; at worst the record being written is cut short,
and readers skip it with a note. A failed write (disk full) is cut back off the file before the error rises.

Payloads are stored as the crawler read them: the original bytes in the original charset, but with the
transfer compression (gzip, br) removed and capped (the original `Content-Encoding` is kept as
`X-Crawler-Content-Encoding`), so readers need no decompression and a compression bomb stays defused on
disk. A cut payload carries the standard `WARC-Truncated` field. The crawler's role for the URL (article,
page, feed, sitemap, robots) travels in `X-Crawler-Role`, so reindexing sends the same pages to extraction
as the crawl did.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.errors import CrawlerError
from crawler.models import Fetched

log = logging.getLogger(__name__)

ROTATE_BYTES = 1_000_000_000  # the customary WARC file size
_NAME = re.compile(r"^[A-Za-z0-9._-]+\.warc(\.gz)?$")
# Hop-by-hop and framing headers describe the transfer, not the stored payload.
_DROP_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass(slots=True)
class Exchange:
    """One request and its response as the fetcher saw them."""

    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes  # decoded from gzip/br, capped
    fetched_at: str  # ISO 8601 UTC
    truncated: str = ""  # WARC-Truncated value: length, time, disconnect, unspecified
    role: str = ""  # article, page, feed, sitemap, robots
    method: str = "GET"


@dataclass(slots=True)
class ArchivedResponse:
    fetched: Fetched
    role: str
    truncated: str


class ArchiveDamage(CrawlerError):
    """A WARC file that cannot be read to its end; the message says which and where."""


def iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class ArchiveWriter:
    """Appends exchanges to rotated, gzipped WARC files in one folder. One writer per process."""

    def __init__(self, folder: Path, rotate_bytes: int = ROTATE_BYTES) -> None:
        self.folder = folder
        self.rotate_bytes = rotate_bytes
        self.folder.mkdir(parents=True, exist_ok=True)
        self._file: io.FileIO | None = None
        self._size = 0
        self._lock = threading.Lock()
        self._name = ""
        self._seq = 0
        self.records = 0

    def _open(self) -> None:
        """Start the next file (called with the lock held)."""
        if self._file is not None:
            self._file.close()
        self._seq += 1
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        self._name = f"crawl-{stamp}-{os.getpid()}-{self._seq:04d}.warc.gz"
        # Unbuffered: each exchange is one write of ready bytes, so a failed write leaves nothing in a buffer
        # that a later flush or close would try (and fail) to write again.
        self._file = open(self.folder / self._name, "ab", buffering=0)  # noqa: SIM115 -- held open across records
        self._size = self._file.tell()

    def write(self, exchange: Exchange) -> tuple[str, int]:
        """Write response and request records durably; return (file name, offset of the response record).

        Safe to call from several threads: records are appended under a lock, and each caller then waits for
        its own fsync outside it, so the syncs of concurrent fetches overlap instead of queueing.
        """
        with self._lock:
            if self._file is None or self._size >= self.rotate_bytes:
                self._open()
            assert self._file is not None
            start = self._size
            buffer = io.BytesIO()
            self._write_records(buffer, exchange)
            payload = buffer.getvalue()
            data = memoryview(payload)
            try:
                while data:  # in the kernel once this loop ends: a killed process loses nothing
                    written = self._file.write(data)
                    data = data[written or 0 :]
            except OSError:
                # Disk full or the like: cut the half-written record off, so the file stays readable.
                try:
                    self._file.truncate(start)
                    self._file.seek(start)
                except OSError:
                    pass
                raise
            self._size += len(payload)
            self.records += 1
            name = self._name
            fd = os.dup(self._file.fileno())  # stays valid if another thread rotates the file meanwhile
        try:
            os.fsync(fd)  # on the disk: a power cut loses nothing either
        finally:
            os.close(fd)
        return name, start

    def _write_records(self, out: io.BytesIO, ex: Exchange) -> None:
        writer = WARCWriter(out, gzip=True)
        headers = stored_headers(ex)
        http = StatusAndHeaders(f"{ex.status} {ex.reason or 'Unknown'}", headers, protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": ex.fetched_at}
        if ex.truncated:
            warc_headers["WARC-Truncated"] = ex.truncated
        if ex.role:
            warc_headers["X-Crawler-Role"] = ex.role
        response = writer.create_warc_record(
            ex.url,
            "response",
            payload=io.BytesIO(ex.body),
            length=len(ex.body),  # with a length warcio digests in place instead of spooling to a temp file
            http_headers=http,
            warc_headers_dict=warc_headers,
        )
        writer.write_record(response)
        target = ex.url.split("://", 1)[-1]
        path = "/" + target.split("/", 1)[1] if "/" in target else "/"
        request_http = StatusAndHeaders(f"{ex.method} {path} HTTP/1.1", ex.request_headers, is_http_request=True)
        request = writer.create_warc_record(
            ex.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=request_http,
            warc_headers_dict={
                "WARC-Date": ex.fetched_at,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        writer.write_record(request)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def stored_headers(ex: Exchange) -> list[tuple[str, str]]:
    """The response headers as the archive keeps them: framing dropped, the payload's own length stated."""
    headers = [(k, v) for k, v in ex.response_headers if k.lower() not in _DROP_HEADERS]
    encoding = next((v for k, v in ex.response_headers if k.lower() == "content-encoding"), "")
    if encoding:
        headers.append(("X-Crawler-Content-Encoding", encoding))
    headers.append(("Content-Length", str(len(ex.body))))
    return headers


def as_fetched(ex: Exchange, warc_file: str, offset: int) -> Fetched:
    """The `Fetched` that reading this exchange back from the archive would give."""
    headers = {k.lower(): v for k, v in stored_headers(ex)}
    return Fetched(ex.url, ex.status, headers, ex.body, ex.fetched_at, warc_file, offset)


def warc_files(folder: Path) -> list[Path]:
    """The archive's WARC files in the order they were written (names start with a UTC time stamp)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _NAME.match(p.name))


def _to_response(record: Any, warc_file: str, offset: int, body: bytes) -> ArchivedResponse:
    http = record.http_headers
    status = int(http.get_statuscode() or 0) if http is not None else 0
    headers: dict[str, str] = {}
    if http is not None:
        for key, value in http.headers:
            headers[key.lower()] = value
    warc = record.rec_headers
    fetched = Fetched(
        url=warc.get_header("WARC-Target-URI") or "",
        status=status,
        headers=headers,
        body=body,
        fetched_at=warc.get_header("WARC-Date") or "",
        warc_file=warc_file,
        warc_offset=offset,
    )
    return ArchivedResponse(fetched, warc.get_header("X-Crawler-Role") or "", warc.get_header("WARC-Truncated") or "")


def _complete(item: ArchivedResponse) -> bool:
    """Our writer always states the payload length; a shorter payload is a record cut by a crash."""
    declared = item.fetched.headers.get("content-length", "")
    return declared.isdigit() and int(declared) == len(item.fetched.body)


def iter_responses(folder: Path, on_damage: Callable[[str], None] | None = None) -> Iterator[ArchivedResponse]:
    """Every response record of the archive, in write order. A damaged file tail is reported and skipped."""
    report = on_damage or log.warning
    for path in warc_files(folder):
        with path.open("rb") as stream:
            iterator = ArchiveIterator(stream)
            offset = end = 0
            try:
                for record in iterator:
                    # The body must be read before asking for the offset: warcio skips the rest of the record.
                    body = record.content_stream().read() if record.rec_type == "response" else b""
                    offset = iterator.get_record_offset()
                    end = offset + iterator.get_record_length()
                    if record.rec_type == "response":
                        item = _to_response(record, path.name, offset, body)
                        if not _complete(item):
                            report(f"{path.name}: the record at offset {offset} is cut short; skipped")
                            continue
                        yield item
            except Exception as exc:
                report(f"{path.name}: damaged after offset {offset} ({exc!r}); the rest of this file is skipped")
                continue
            # a file cut inside a gzip member ends the iteration quietly: bytes no record accounts for are damage
            size = path.stat().st_size
            if end < size:
                report(f"{path.name}: damaged after offset {end} ({size - end} bytes could not be read as records)")


def iter_archive(folder: Path, on_damage: Callable[[str], None] | None = None) -> Iterator[Fetched]:
    """Every archived response as a `Fetched`, with its warc_file and warc_offset."""
    for item in iter_responses(folder, on_damage):
        yield item.fetched


def read_response(folder: Path, warc_file: str, offset: int) -> ArchivedResponse:
    """The response record at `offset` in `warc_file`. Raises ArchiveDamage when there is none."""
    if not _NAME.match(warc_file) or offset < 0:
        raise ArchiveDamage(f"no such archive record: {warc_file}@{offset}")
    path = folder / warc_file
    try:
        with path.open("rb") as stream:
            stream.seek(offset)
            for record in ArchiveIterator(stream):
                if record.rec_type != "response":
                    break
                item = _to_response(record, warc_file, offset, record.content_stream().read())
                if not _complete(item):
                    raise ArchiveDamage(f"the record at {warc_file}@{offset} is cut short")
                return item
    except FileNotFoundError as exc:
        raise ArchiveDamage(f"no such archive file: {warc_file}") from exc
    except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as exc:
        raise ArchiveDamage(f"cannot read {warc_file}@{offset}: {exc}") from exc
    raise ArchiveDamage(f"no response record at {warc_file}@{offset}")


def read_record(folder: Path, warc_file: str, offset: int) -> Fetched:
    """The archived response at (warc_file, offset): for the UI's archived copy and for resuming delivery."""
    return read_response(folder, warc_file, offset).fetched
