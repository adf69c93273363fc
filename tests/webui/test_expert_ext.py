"""webui/expert_ext.py: the knowledge base, loaded once per folder state."""

from __future__ import annotations

import shutil

from expert import default_knowledge_dir
from webui import expert_ext


def test_loading_is_memoised_until_a_file_changes(tmp_path):
    folder = tmp_path / "kb"
    shutil.copytree(default_knowledge_dir(), folder)
    first = expert_ext.load(folder)
    assert expert_ext.load(folder) is first
    model = folder / "model.yaml"
    model.write_text(model.read_text() + "\n# changed\n")
    assert expert_ext.load(folder) is not first


def test_knowledge_base_accessor(app):
    with app.app_context():
        assert expert_ext.knowledge_base() is app.extensions["expert"]
