"""`python -m bench`: the benchmark suite (issue #9)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("bench: not available yet: the benchmark suite lands with the performance issue (#9)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
