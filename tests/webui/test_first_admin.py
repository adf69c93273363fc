"""Issue 7, first start: with no user at all, `kinerja serve` creates the admin ``admin``
with a one-time password printed once to the console; the first sign-in with it must choose
a new password before any other page opens. ``FIRST_ADMIN=false`` turns this off."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from expert.cli import main
from tests.webui.conftest import TEST_CONFIG, anonymous_client, dispose
from webui import create_app
from webui.db import db
from webui.db.accounts import Account, find_account, new_token
from webui.db.audit import SYSTEM, AuditEvent, verify
from webui.db.transaction import writing
from webui.db.users import add_user, create_first_admin, set_active
from webui.server import prepare

LINE = re.compile(r"^kinerja: first start: created the user 'admin' \(admin\) with the one-time "
                  r"password ([A-Za-z0-9]{20}) - sign in and choose your own; it is shown only "
                  r"now \(pengguna 'admin' dibuat .*\)$")


def first_start(instance: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Flask, list[str]]:
    app = prepare(instance)
    err = capsys.readouterr().err
    return app, [line for line in err.splitlines() if "one-time password" in line]


def accounts(app: Flask) -> list[Account]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Account)))
        db.session.expunge_all()
        return found


def test_the_first_start_creates_one_admin_and_prints_its_password_once(tmp_path, capsys):
    instance = tmp_path / "instance"
    app, lines = first_start(instance, capsys)
    assert len(lines) == 1, lines
    match = LINE.match(lines[0])
    assert match, lines[0]
    password = match.group(1)
    [admin] = accounts(app)
    assert (admin.username, admin.role, admin.active, admin.must_change_password) == (
        "admin", "admin", True, True)
    assert admin.password_hash.startswith("$argon2") and password not in admin.password_hash
    with app.app_context():
        assert admin.check_password(password)
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "user_add")).one()
        assert (event.actor, event.role, event.object_id) == (None, "system", "admin")
        assert '"first_admin":true' in event.detail and password not in event.detail
        assert verify().intact
    dispose(app)
    for path in instance.iterdir():  # the database (and everything else): no clear password
        assert password.encode() not in path.read_bytes(), path

    again, lines = first_start(instance, capsys)  # a second start creates and prints nothing
    assert lines == [] and [a.username for a in accounts(again)] == ["admin"]
    dispose(again)


def test_serve_prints_the_line_once_before_serving(tmp_path, capsys):
    from webui.server import serve

    calls: list[dict[str, object]] = []
    assert serve(instance=tmp_path / "i", run=lambda app, **kw: calls.append(kw)) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(calls) == 1
    assert len([line for line in err if "one-time password" in line]) == 1
    assert [LINE.match(line) is not None for line in err].count(True) == 1
    assert err.index(next(line for line in err if LINE.match(line))) < len(err) - 1  # then serving


def test_no_admin_is_made_when_any_user_exists_even_a_disabled_one(tmp_path, capsys):
    instance = tmp_path / "instance"
    app = create_app(instance_path=instance)
    with app.app_context():
        add_user("kepala", "auditor", "a-long-password", by=SYSTEM)
        set_active("kepala", False, by=SYSTEM)
    dispose(app)
    again, lines = first_start(instance, capsys)
    assert lines == [] and [a.username for a in accounts(again)] == ["kepala"]
    dispose(again)


@pytest.mark.parametrize("value", ["false", "False", "no", "0", "off"])
def test_the_setting_turns_it_off(tmp_path, capsys, monkeypatch, value):
    monkeypatch.setenv("KINERJA_FIRST_ADMIN", value)
    app = prepare(tmp_path / "instance")
    err = capsys.readouterr().err
    assert "one-time password" not in err and accounts(app) == []
    assert "no user yet; create the first admin with: kinerja users add admin --role admin" \
        in err
    dispose(app)


def test_a_bad_setting_stops_the_start_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KINERJA_FIRST_ADMIN", "perhaps")
    assert main(["serve", "--instance", str(tmp_path / "i")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["kinerja: cannot start: FIRST_ADMIN is 'perhaps', not true or false "
                   "(set KINERJA_FIRST_ADMIN to true or false)"]


def test_users_add_still_makes_the_first_user_before_a_start(tmp_path, capsys, monkeypatch):
    import io

    instance = str(tmp_path / "instance")
    monkeypatch.setattr("sys.stdin", io.StringIO("chosen-by-the-operator\n"))
    assert main(["users", "add", "boss", "--role", "admin", "--password-stdin",
                 "--instance", instance]) == 0
    app, lines = first_start(Path(instance), capsys)
    assert lines == [] and [(a.username, a.must_change_password) for a in accounts(app)] == [
        ("boss", False)]
    dispose(app)


RACE = """
import sys
from webui import create_app
from webui.db.users import create_first_admin
app = create_app(instance_path=sys.argv[1])
with app.app_context():
    print(create_first_admin() or "-")
"""


@pytest.mark.slow
def test_processes_starting_together_make_one_admin(tmp_path, database_uri):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(f"SQLALCHEMY_DATABASE_URI = {database_uri!r}\n")
    dispose(create_app(instance_path=instance))  # the schema, made once
    processes = [subprocess.Popen([sys.executable, "-c", RACE, str(instance)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    printed = [out.strip() for out, _ in outputs if out.strip() != "-"]
    assert len(printed) == 1
    app = create_app(instance_path=instance)
    assert [a.username for a in accounts(app)] == ["admin"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "user_add")) == 1
    dispose(app)


@pytest.fixture
def fresh(tmp_path: Path) -> tuple[Flask, str]:
    """An application with only the first admin, and its one-time password."""
    app = create_app(TEST_CONFIG, instance_path=tmp_path / "instance")
    with app.app_context():
        password = create_first_admin()
        assert password is not None and create_first_admin() is None
    return app, password


def sign_in(client: FlaskClient, password: str, next_page: str | None = None) -> str:
    data = {"username": "admin", "password": password}
    if next_page:
        data["next"] = next_page
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def change(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> int:
    return client.post("/account/password", data={
        "current_password": current, "new_password": new,
        "confirm_password": new if confirm is None else confirm}).status_code


def test_the_one_time_password_must_be_changed_before_anything_else(fresh):
    app, password = fresh
    client = anonymous_client(app)
    assert sign_in(client, password, "/knowledge/").startswith(
        "/account/password?next=/knowledge/")
    page = client.get("/account/password")
    assert page.status_code == 200
    assert "hanya berlaku sekali" in page.get_data(as_text=True)
    for path in ("/", "/knowledge/", "/admin/users", "/audit/", "/training/"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"].startswith("/account/password"), path
    response = client.post("/admin/offices", data={"name": "Dinas X"})
    assert response.status_code == 303 and response.headers["Location"] == "/account/password"
    with app.app_context():
        assert find_account("admin").must_change_password
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "office_add")) == 0
    assert client.get("/no/such/page").status_code == 404
    assert client.post("/lang", data={"lang": "en"}).status_code == 303

    # the rules of `kinerja users passwd`, said in the user's language
    assert change(client, "wrong-password", "a-new-long-password") == 400
    short = client.post("/account/password", data={
        "current_password": password, "new_password": "short", "confirm_password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)
    assert change(client, password, "a-new-long-password", "another-long-password") == 400
    assert change(client, password, password) == 400
    assert client.get("/").status_code == 303  # still closed

    response = client.post("/account/password", data={
        "current_password": password, "new_password": "a-new-long-password",
        "confirm_password": "a-new-long-password", "next": "/knowledge/"})
    assert response.status_code == 303 and response.headers["Location"] == "/knowledge/"
    for path in ("/", "/knowledge/", "/admin/users", "/audit/"):
        assert client.get(path).status_code == 200, path
    with app.app_context():
        assert not find_account("admin").must_change_password
        assert [e.actor for e in db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "user_passwd"))] == ["admin"]
    client.post("/logout")

    again = anonymous_client(app)
    assert again.post("/login", data={"username": "admin", "password": password}
                      ).status_code == 401
    assert sign_in(again, "a-new-long-password") == "/"
    assert again.get("/").status_code == 200


def test_the_api_token_flow_is_unaffected(fresh):
    app, _ = fresh
    with app.app_context(), writing():
        token = new_token(find_account("admin"))
    client = anonymous_client(app)
    response = client.get("/api/v1/knowledge", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.is_json


def test_every_user_may_change_their_own_password(app, client_as):
    client = client_as("pelatih")
    assert "Ganti kata sandi" in client.get("/account/password").get_data(as_text=True)
    assert change(client, "password-for-tests", "pelatih-baru-123") == 303
    with app.app_context():
        assert find_account("pelatih").check_password("pelatih-baru-123")
    client.set_cookie("lang", "en")
    response = client.post("/account/password", data={
        "current_password": "wrong", "new_password": "x" * 12, "confirm_password": "x" * 12})
    assert response.status_code == 400
    assert "The current password is wrong." in response.get_data(as_text=True)


def test_users_passwd_replaces_a_one_time_password_too(fresh):
    from webui.db.users import set_password

    app, password = fresh
    with app.app_context():
        set_password("admin", "chosen-by-the-operator", by=SYSTEM)
        assert not find_account("admin").must_change_password
    assert sign_in(anonymous_client(app), "chosen-by-the-operator") == "/"
