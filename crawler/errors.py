"""The crawler's one exception family."""


class CrawlerError(Exception):
    """A crawl could not go on; the message is for the user."""
