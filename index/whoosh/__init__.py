"""The Whoosh engine: the embedded default, no server. `WhooshIndex` (`engine`) keeps the inverted index in
Whoosh segments and the records in SQLite; `writer` writes the segments, `evaluate` runs a query tree over the
postings with numpy, `columns` holds the per-document arrays of facets and sorts, `ranking` orders matches.
"""
