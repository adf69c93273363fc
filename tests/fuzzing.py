"""How many examples an attack fuzzer runs: many in CI (HYPOTHESIS_PROFILE=ci), few by hand."""

from __future__ import annotations

import os

IN_CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"


def examples(ci: int, dev: int) -> int:
    return ci if IN_CI else dev
