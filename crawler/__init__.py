"""The crawler: fetch press sites politely, archive every response to WARC, extract clean articles.

Flow: sources -> discover -> fetch -> archive (WARC) -> extract -> an `Article` handed to a sink.
Nothing here imports `index` or `searchapp`: data flows one way.
"""

from crawler.models import Article, Fetched, Paragraph, article_id

__all__ = ["Article", "Fetched", "Paragraph", "article_id"]
