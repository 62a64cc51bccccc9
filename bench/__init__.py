"""The benchmark suite: a synthetic corpus generator and measurements against a plain-Whoosh baseline."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The reference data beside the clone (../shared/data); SHARED_DATA_DIR names it elsewhere, as in tests/conftest.py
SHARED_DATA = Path(os.environ.get("SHARED_DATA_DIR") or ROOT.parent / "shared" / "data")
