"""Where the shipped knowledge base is: kept apart from the loader, so that finding it does not
import the loader (YAML, hashing) when the base comes from the cache."""

from __future__ import annotations

from pathlib import Path


def default_knowledge_dir() -> Path:
    """The knowledge base shipped with Kinerja (the repository's `knowledge/` in a checkout)."""
    import importlib.util

    spec = importlib.util.find_spec("kinerja_knowledge")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "model.yaml").is_file():
                return Path(location)
    return Path(__file__).resolve().parents[2] / "knowledge"
