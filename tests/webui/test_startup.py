"""Issue 6: every startup fault is one line — ``kinerja: cannot start: <what> (<how to fix>)``
— and exit status 2, never a traceback; a damaged or read-only database is refused at start."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from expert.cli import main
from webui.db import db
from webui.server import prepare


class NeverRuns:
    def __call__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("the server must not start")


def start(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str,
          **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("webui.server.default_runner", lambda: NeverRuns())
    code = main(["serve", *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kinerja: cannot start: "), err
    assert lines[0].endswith(")") and "Traceback" not in err
    return lines[0]


@pytest.fixture
def seeded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """An instance folder with a real Kinerja database in it."""
    instance = tmp_path / "seeded"
    app = prepare(instance)
    with app.app_context():
        db.engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    assert not (instance / "kinerja.sqlite-wal").exists()
    capsys.readouterr()  # the fixture's "added the demo" line
    return instance


@pytest.mark.parametrize("argv, words", [
    (["--port", "-5"], "port '-5' is not a TCP port"),
    (["--port", "70000"], "port '70000' is not a TCP port"),
    (["--port", "0"], "from 1 to 65535"),
    (["--port", "http"], "not a TCP port"),
    (["--host", "no-such-host.invalid"], "cannot be resolved"),
    (["--threads", "0"], "SERVER_THREADS"),
    (["--connection-limit", "0"], "SERVER_CONNECTION_LIMIT"),
])
def test_bad_arguments(capsys, monkeypatch, tmp_path, argv, words):
    assert words in start(capsys, monkeypatch, *argv, "--instance", str(tmp_path / "i"))


@pytest.mark.parametrize("value", ["abc", "-1", "11", "1.5"])
def test_a_wrong_proxy_count(capsys, monkeypatch, tmp_path, value):
    line = start(capsys, monkeypatch, "--instance", str(tmp_path / "i"),
                 KINERJA_TRUST_PROXY=value)
    assert f"TRUST_PROXY is '{value}'" in line and "from 0 to 10, or leave it unset" in line


def test_the_instance_path_is_a_file(capsys, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("x")
    line = start(capsys, monkeypatch, "--instance", str(tmp_path / "file"))
    assert "is a file, not a folder" in line
    line = start(capsys, monkeypatch, "--instance", str(tmp_path / "file" / "below"))
    assert "is a file, not a folder" in line


def test_an_unwritable_instance_folder(capsys, monkeypatch, tmp_path):
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "ro"))

    monkeypatch.setattr(os, "makedirs", refuse)
    line = start(capsys, monkeypatch, "--instance", str(tmp_path / "ro"))
    assert "cannot write" in line and "Permission denied" in line


@pytest.mark.parametrize("content, words", [
    ("x = (\n", "syntax error at line 1"),
    ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
    ("import no_such_module_here\n", "ModuleNotFoundError"),
])
def test_a_broken_instance_config(capsys, monkeypatch, tmp_path, content, words):
    instance = tmp_path / "i"
    instance.mkdir()
    (instance / "config.py").write_text(content)
    line = start(capsys, monkeypatch, "--instance", str(instance))
    assert "config.py" in line and words in line


@pytest.mark.parametrize("damage, words", [
    ("random", "file is not a database"),
    ("truncate", "malformed"),
    ("pages", "malformed"),
    ("directory", "unable to open database file"),
    ("schema", "is not a Kinerja database"),
])
def test_a_damaged_database(capsys, monkeypatch, tmp_path, seeded, damage, words):
    database = seeded / "kinerja.sqlite"
    if damage == "random":
        database.write_bytes(os.urandom(8192))
    elif damage == "truncate":
        os.truncate(database, 5000)
    elif damage == "pages":
        with database.open("r+b") as handle:
            handle.seek(4096)  # the first table's root page
            handle.write(b"\x0d\xff\xff" * 300)
    elif damage == "directory":
        database.unlink()
        database.mkdir()
    else:
        database.unlink()
        with sqlite3.connect(database) as connection:
            connection.execute("CREATE TABLE assessment (id INTEGER PRIMARY KEY, x TEXT)")
    line = start(capsys, monkeypatch, "--instance", str(seeded))
    assert words in line


def test_a_read_only_database_is_refused_at_start(capsys, monkeypatch, seeded):
    uri = f"sqlite:///file:{seeded / 'kinerja.sqlite'}?mode=ro&uri=true"
    line = start(capsys, monkeypatch, "--instance", str(seeded),
                 KINERJA_SQLALCHEMY_DATABASE_URI=uri)
    assert "readonly" in line and "writable" in line


@pytest.mark.parametrize("uri", ["nonsense", "nosuchdriver://x/y"])
def test_a_bad_database_url(capsys, monkeypatch, tmp_path, uri):
    line = start(capsys, monkeypatch, "--instance", str(tmp_path / "i"),
                 KINERJA_SQLALCHEMY_DATABASE_URI=uri)
    assert "database URL is not valid" in line


@pytest.mark.parametrize("value", ["big", "-1", "0", "1.5"])
def test_a_bad_max_content_length(capsys, monkeypatch, tmp_path, value):
    line = start(capsys, monkeypatch, "--instance", str(tmp_path / "i"),
                 KINERJA_MAX_CONTENT_LENGTH=value)
    assert "MAX_CONTENT_LENGTH" in line


def test_a_good_instance_still_starts(capsys, monkeypatch, seeded):
    calls = []
    monkeypatch.setattr("webui.server.default_runner",
                        lambda: lambda app, **kw: calls.append(kw))
    assert main(["serve", "--instance", str(seeded), "--port", "8123"]) == 0
    assert calls == [{"host": "127.0.0.1", "port": 8123, "workers": None}]
