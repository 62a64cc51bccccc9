"""The OpenSearch engine: the `SearchIndex` of `index/__init__.py` on a real cluster (`opensearch-py`).

Optional: installed with the `[opensearch]` extra, used when `SEARCHAPP_ENGINE=opensearch` (`index.config`).
"""

from index.opensearch.engine import OpenSearchIndex

__all__ = ["OpenSearchIndex"]
