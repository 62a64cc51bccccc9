"""The benchmark suite: a synthetic corpus generator and measurements against a plain-Whoosh baseline."""
