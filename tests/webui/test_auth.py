"""Accounts (webui/auth.py, webui/blueprints/login.py, webui/db/accounts.py, the ``kinerja
users`` command): login and logout, argon2 hashes, rate-limited logins, API tokens, the
cookie and proxy settings, the health check, and the first start's hint."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from expert.cli import main
from tests.webui.conftest import PASSWORD, TEST_CONFIG, make_users
from webui import create_app
from webui.db import db
from webui.db.accounts import ApiToken, find_account
from webui.db.audit import AuditEvent


def actions(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [(e.action, e.actor) for e in db.session.scalars(
            sa.select(AuditEvent).order_by(AuditEvent.seq))]


def test_every_page_needs_a_login_and_comes_back_after_it(app, anonymous):
    response = anonymous.get("/assessments/new?copy=1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/assessments/new?copy%3D1")
    page = anonymous.get("/login").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page
    response = anonymous.post("/login", data={"username": "kepala", "password": PASSWORD,
                                              "next": "/knowledge/"})
    assert response.status_code == 303 and response.headers["Location"] == "/knowledge/"
    assert anonymous.get("/").status_code == 200
    assert ("login", "kepala") in actions(app)


def test_next_never_leaves_the_site(anonymous):
    response = anonymous.post("/login", data={"username": "kepala", "password": PASSWORD,
                                              "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_wrong_password_is_refused_and_recorded(app, anonymous):
    response = anonymous.post("/login", data={"username": "kepala", "password": "nope"})
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)
    assert anonymous.get("/").status_code == 302
    response = anonymous.post("/login", data={"username": "ghost", "password": "nope"})
    assert response.status_code == 401
    with app.app_context():
        failed = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "login_failed")).all()
        assert [e.details["username"] for e in failed] == ["kepala", "ghost"]
        assert all(e.remote_addr == "127.0.0.1" for e in failed)


def test_passwords_are_stored_as_argon2_hashes(app):
    with app.app_context():
        account = find_account("kepala")
        assert account.password_hash.startswith("$argon2id$")
        assert PASSWORD not in account.password_hash


def test_logout_ends_the_session(app, client):
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 302
    assert ("logout", "kepala") in actions(app)


def test_a_disabled_user_cannot_log_in_and_is_logged_out(app, client, anonymous, capsys):
    instance = app.instance_path
    with app.app_context():
        from webui.db.audit import SYSTEM
        from webui.db.users import set_active

        set_active("kepala", False, by=SYSTEM)
    assert client.get("/").status_code == 302  # the running session ends
    response = anonymous.post("/login", data={"username": "kepala", "password": PASSWORD})
    assert response.status_code == 401
    assert instance


def test_logins_are_rate_limited_with_a_clear_message(tmp_path):
    app = create_app({**TEST_CONFIG, "LOGIN_RATE_LIMIT": "3 per minute"},
                     instance_path=tmp_path / "i")
    make_users(app)
    client = app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"username": "x", "password": "y"}).status_code == 401
    response = client.post("/login", data={"username": "kepala", "password": PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # the page itself is not limited


def test_failed_sign_ins_are_counted_across_worker_processes(tmp_path):
    """Two applications on one database, as two gunicorn workers are. Flask-Limiter's memory
    is per process (in one process the two would share it), so it is off here: the failures
    of both count against the address through the audit log alone."""
    config = {**TEST_CONFIG, "LOGIN_RATE_LIMIT": "3 per minute", "RATELIMIT_ENABLED": False,
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.sqlite'}"}
    first = create_app(config, instance_path=tmp_path / "one")
    second = create_app(config, instance_path=tmp_path / "two")
    make_users(first)
    one, two = first.test_client(), second.test_client()
    wrong = {"username": "kepala", "password": "not-the-password"}
    assert [c.post("/login", data=wrong).status_code for c in (one, one, two)] == [401] * 3
    refused = two.post("/login", data={"username": "kepala", "password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "Terlalu banyak percobaan" in refused.get_data(as_text=True)
    assert one.post("/login", data=wrong).status_code == 429  # not checked, not recorded
    with first.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "login_failed")) == 3
    elsewhere = second.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.9"  # another address is not held back
    assert elsewhere.post("/login", data={"username": "kepala",
                                          "password": PASSWORD}).status_code == 303


def test_the_api_needs_a_bearer_token(app, client, anonymous, seed_case):
    response = anonymous.post("/api/v1/evaluate", json=seed_case)
    assert response.status_code == 401 and response.get_json()["error"] == "Unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/api/v1/evaluate", json=seed_case).status_code == 200
    # a signed-in browser's cookie does not authorise the API (it is exempt from CSRF)
    del client.environ_base["HTTP_AUTHORIZATION"]
    assert client.post("/api/v1/evaluate", json=seed_case).status_code == 401
    bad = anonymous.post("/api/v1/evaluate", json=seed_case,
                         headers={"Authorization": "Bearer kinerja_forged"})
    assert bad.status_code == 401


def test_tokens_are_stored_hashed_and_die_with_the_user(app, anonymous):
    with app.app_context():
        from webui.db.audit import SYSTEM
        from webui.db.users import issue_token, set_active

        token = issue_token("pelatih", by=SYSTEM)
        stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
        assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    headers = {"Authorization": f"Bearer {token}"}
    assert anonymous.get("/api/v1/knowledge", headers=headers).status_code == 200
    with app.app_context():
        set_active("pelatih", False, by=SYSTEM)
    assert anonymous.get("/api/v1/knowledge", headers=headers).status_code == 401


def test_the_health_check_needs_no_login(anonymous):
    response = anonymous.get("/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_the_session_cookie_is_secure_when_configured(tmp_path):
    app = create_app({**TEST_CONFIG, "SESSION_COOKIE_SECURE": True},
                     instance_path=tmp_path / "i")
    make_users(app)
    response = app.test_client().post("/login", data={"username": "kepala",
                                                      "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("settings, expected", [
    ({"TRUST_PROXY": 1}, "203.0.113.7"),
    ({"TRUSTED_PROXY": "127.0.0.1"}, "203.0.113.7"),  # naming the proxy is enough
    ({"TRUSTED_PROXY": "127.0.0.1", "TRUST_PROXY": 0}, "127.0.0.1"),  # unless told otherwise
    ({"TRUST_PROXY": 2}, "198.51.100.4"),  # two proxies: the address the outer one saw
    ({}, "127.0.0.1"),  # no proxy: the header is a client's claim, ignored
])
def test_the_clients_address_behind_proxies(tmp_path, settings, expected):
    application = create_app({**TEST_CONFIG, **settings}, instance_path=tmp_path / "i")
    make_users(application)
    application.test_client().post(
        "/login", data={"username": "kepala", "password": "wrong"},
        headers={"X-Forwarded-For": "198.51.100.4, 203.0.113.7"})
    with application.app_context():
        entry = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "login_failed"))
        assert entry.remote_addr == expected


def test_users_command(tmp_path, capsys, monkeypatch):
    instance = str(tmp_path / "instance")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "boss", "--role", "admin", "--password-stdin",
                 "--instance", instance]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "kepala", "--role", "head", "--office", "Dinas A",
                 "--password-stdin", "--instance", instance]) == 0
    assert "added kepala (head; Dinas A)" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "x", "--role", "trainer", "--password-stdin",
                 "--instance", instance]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "lonely", "--role", "head", "--password-stdin",
                 "--instance", instance]) == 2
    assert "a head needs at least one office" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "boss", "--role", "admin", "--password-stdin",
                 "--instance", instance]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["users", "list", "--instance", instance]) == 0
    assert capsys.readouterr().out.splitlines() == ["boss\tadmin\tactive\t-",
                                                   "kepala\thead\tactive\tDinas A"]
    assert main(["users", "token", "kepala", "--instance", instance]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("kinerja_") and len(token) > 40
    assert main(["users", "disable", "kepala", "--instance", instance]) == 0
    assert main(["users", "token", "kepala", "--instance", instance]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("another-long-one\n"))
    assert main(["users", "passwd", "boss", "--password-stdin", "--instance", instance]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another-long-one\n"))
    assert main(["users", "passwd", "ghost", "--password-stdin", "--instance", instance]) == 2
    assert "no user 'ghost'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_status:
        main(["users", "add", "y", "--role", "king", "--instance", instance])
    assert exit_status.value.code == 2
    assert main(["audit", "verify", "--instance", instance]) == 0
    assert "chain intact" in capsys.readouterr().out


def test_one_api_token_is_revoked_the_others_keep_working(tmp_path, capsys, monkeypatch):
    from webui import create_app

    instance = tmp_path / "instance"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "ana", "--role", "trainer", "--password-stdin",
                 "--instance", str(instance)]) == 0
    capsys.readouterr()
    tokens = []
    for _ in range(2):
        assert main(["users", "token", "ana", "--instance", str(instance)]) == 0
        tokens.append(capsys.readouterr().out.strip())
    assert main(["users", "tokens", "ana", "--instance", str(instance)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["1", "2"]
    assert all(line.endswith("in use") and " UTC" in line for line in listed)
    assert main(["users", "revoke-token", "ana", "--id", "1", "--instance", str(instance)]) == 0
    assert "revoked 1 token of ana: 1" in capsys.readouterr().out
    assert main(["users", "revoke-token", "ana", "--id", "1", "--instance", str(instance)]) == 2
    assert "no token 1 in use" in capsys.readouterr().err
    assert main(["users", "tokens", "ana", "--instance", str(instance)]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert "\trevoked " in first and second.endswith("in use")

    client = create_app(instance_path=instance).test_client()

    def status(token: str) -> int:
        return client.get("/api/v1/knowledge",
                          headers={"Authorization": f"Bearer {token}"}).status_code

    assert [status(token) for token in tokens] == [401, 200]
    assert main(["users", "revoke-token", "ana", "--all", "--instance", str(instance)]) == 0
    assert "revoked 1 token of ana: 2" in capsys.readouterr().out
    assert status(tokens[1]) == 401
    assert main(["audit", "verify", "--instance", str(instance)]) == 0
    assert "chain intact" in capsys.readouterr().out


def test_without_the_first_admin_the_first_start_says_how_to_create_one(tmp_path, capsys):
    from webui.server import prepare

    prepare(tmp_path / "instance", settings={"FIRST_ADMIN": False})
    assert "no user yet; create the first admin with: kinerja users add admin --role admin" \
        in capsys.readouterr().err


def test_every_account_error_is_said_in_both_languages():
    """Each fault a user-management request can meet has its words in messages.yaml, so the
    admin page never shows the command line's English (or a missing key)."""
    import ast
    from pathlib import Path

    import webui
    from webui.i18n import messages

    root = Path(webui.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "AccountError":
                found.add((node.args[0], node.args[2] if len(node.args) > 2 else None))
    assert len(found) >= 15
    catalogue = messages()
    for place, code in found:
        assert isinstance(code, ast.Constant), f"an AccountError without a code in {place}"
        assert {"id", "en"} <= set(catalogue[f"account.error.{code.value}"])
        if isinstance(place, ast.Constant):
            assert {"id", "en"} <= set(catalogue[f"account.place.{place.value}"])


def test_admin_manages_users_and_offices_in_the_web(app, client_as):
    admin = client_as("admin")
    assert "kepala2" in admin.get("/admin/users").get_data(as_text=True)
    assert admin.post("/admin/offices", data={"name": "Dinas Baru"}).status_code == 303
    response = admin.post("/admin/users", data={"username": "baru", "role": "head",
                                                "office": "Dinas Baru",
                                                "password": "password-long-enough"})
    assert response.status_code == 303
    bad = admin.post("/admin/users", data={"username": "baru2", "role": "head",
                                           "password": "password-long-enough"})
    assert bad.status_code == 400 and "Kantor: kepala perlu paling sedikit satu kantor" in \
        bad.get_data(as_text=True)  # in the interface's language, the field named
    admin.set_cookie("lang", "en")
    again = admin.post("/admin/users", data={"username": "baru", "role": "head",
                                             "office": "Dinas Baru",
                                             "password": "password-long-enough"})
    assert again.status_code == 400 and "Username: &#39;baru&#39; exists already" in \
        again.get_data(as_text=True)
    admin.set_cookie("lang", "id")
    assert admin.post("/admin/users/baru", data={"action": "role", "role": "auditor"}
                      ).status_code == 303
    assert admin.post("/admin/users/baru", data={"action": "disable"}).status_code == 303
    with app.app_context():
        account = find_account("baru")
        assert account.role == "auditor" and not account.active
    assert [a for a, _ in actions(app)][-5:] == ["office_add", "user_add", "user_role",
                                                  "user_offices", "user_disable"]


@pytest.mark.parametrize("username", ["", "has space", "x" * 81, "-dash"])
def test_bad_usernames_are_refused(app, username):
    from webui.db.audit import SYSTEM
    from webui.db.users import AccountError, add_user

    with app.app_context(), pytest.raises(AccountError, match="username"):
        add_user(username, "trainer", "password-long-enough", by=SYSTEM)
