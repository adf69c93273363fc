"""webui/server.py: ``kinerja serve`` on waitress, with the demo on first start."""

from __future__ import annotations

import shutil
from typing import Any

from expert import default_knowledge_dir
from webui.db import Assessment, db
from webui.server import prepare, serve


class FakeRunner:
    def __init__(self, error: OSError | None = None):
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def __call__(self, app: Any, **kwargs: Any) -> None:
        self.calls.append({"app": app, **kwargs})
        if self.error:
            raise self.error


def test_serve_creates_the_database_adds_the_demo_and_runs(tmp_path, capsys):
    runner = FakeRunner()
    assert serve(host="127.0.0.1", port=8765, instance=tmp_path / "inst", run=runner) == 0
    assert (tmp_path / "inst" / "kinerja.sqlite").is_file()
    assert (tmp_path / "inst" / "secret_key").is_file()
    call = runner.calls[0]
    assert call["host"] == "127.0.0.1" and call["port"] == 8765
    with call["app"].app_context():
        names = db.session.scalars(db.select(Assessment.subject_name)).all()
    assert names == ["Dinas Perindustrian dan Perdagangan Kabupaten Balangan"]
    err = capsys.readouterr().err
    assert "added the demo assessment" in err and "http://127.0.0.1:8765/" in err


def test_the_demo_is_added_on_first_start_only(tmp_path):
    app = prepare(tmp_path)
    app = prepare(tmp_path)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Assessment.id))) == 1
    response = app.test_client().post("/api/v1/evaluate", json={"subject": {"name": "x"}})
    assert response.status_code == 401  # the API needs a token (issue 7)


def test_serve_with_another_knowledge_folder(tmp_path):
    folder = tmp_path / "kb"
    shutil.copytree(default_knowledge_dir(), folder)
    runner = FakeRunner()
    assert serve(instance=tmp_path / "i", knowledge=folder, run=runner) == 0
    assert runner.calls[0]["app"].extensions["expert"].directory == folder


def test_a_taken_port_is_exit_status_2(tmp_path, capsys):
    runner = FakeRunner(OSError(98, "Address already in use"))
    assert serve(port=80, instance=tmp_path, run=runner) == 2
    assert "Address already in use" in capsys.readouterr().err


def test_a_broken_knowledge_base_is_exit_status_2(tmp_path, capsys):
    (tmp_path / "kb").mkdir()
    assert serve(instance=tmp_path / "i", knowledge=tmp_path / "kb", run=FakeRunner()) == 2
    assert "cannot start" in capsys.readouterr().err
