"""webui/errors.py: errors mapped to HTTP in one place."""

from __future__ import annotations

from webui import create_app


def test_404_page_in_the_users_language(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert "Page not found" in client.get("/no/such/page").get_data(as_text=True)


def test_405_page(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "tidak diizinkan" in response.get_data(as_text=True)


def test_413_page(client):
    response = client.post("/assessments/new", data={"notes": "x" * (1024 * 1024)})
    assert response.status_code == 413
    assert "terlalu besar" in response.get_data(as_text=True)


def test_500_page_hides_the_details(tmp_path, sign_in):
    app = create_app({"TESTING": False, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=tmp_path)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    @app.get("/api/v1/boom")
    def api_boom() -> str:
        raise RuntimeError("secret detail")

    client = sign_in(app)
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Terjadi kesalahan pada server" in page and "secret detail" not in page
    assert response.headers["X-Frame-Options"] == "DENY"
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.get_json() == {"error": "Internal Server Error",
                                                         "status": 500}


def _locked_database_app(tmp_path, monkeypatch):
    """An app on a SQLite file whose writers give up after two short waits."""
    import webui.db

    monkeypatch.setattr(webui.db, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(webui.db, "WRITE_ATTEMPTS", 2)
    database = tmp_path / "kinerja.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"},
                     instance_path=tmp_path / "instance")
    return app, database


def _assessments(app) -> int:
    from webui.db import Assessment, db

    with app.app_context():
        return db.session.query(Assessment).count()


def test_a_database_locked_past_every_retry_answers_503_and_keeps_nothing(
        tmp_path, monkeypatch, sign_in, seed_case, form_fields):
    import sqlite3

    app, database = _locked_database_app(tmp_path, monkeypatch)
    client = sign_in(app)
    before = _assessments(app)
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        response = client.post("/assessments/new", data=form_fields(seed_case))
        api = client.get("/api/v1/openapi.json")  # reads still work meanwhile
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "Server sedang sibuk" in page and "tidak ada yang tersimpan" in page
    assert "Traceback" not in page and "locked" not in page
    assert api.status_code in (200, 401)
    assert _assessments(app) == before
    again = client.post("/assessments/new", data=form_fields(seed_case))  # lock released
    assert again.status_code == 303 and _assessments(app) == before + 1


def test_a_database_that_cannot_be_reached_is_503_as_json_and_as_a_page(tmp_path, sign_in):
    import sqlalchemy as sa

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=tmp_path)

    def unreachable() -> str:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    app.add_url_rule("/api/v1/unreachable", "api_unreachable", unreachable)
    app.add_url_rule("/unreachable", "unreachable", unreachable)
    client = sign_in(app)  # with an API token
    api = client.get("/api/v1/unreachable")
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["status"] == 503 and "nothing was saved" in api.get_json()["message"]
    assert "connection refused" not in api.get_data(as_text=True)
    page = client.get("/unreachable?lang=en")
    assert page.status_code == 503


def test_a_postgresql_restart_costs_no_request(tmp_path, sign_in):
    """The server drops every connection (a restart, a failover): the next request gets a
    new one from the pool instead of an error."""
    import sqlalchemy as sa

    from tests.webui.conftest import TEST_CONFIG, fresh_postgres_database

    with fresh_postgres_database() as url:
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url},
                         instance_path=tmp_path / "instance")
        client = sign_in(app)
        assert client.get("/").status_code == 200  # the pool holds a connection now
        name = sa.engine.make_url(url).database
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            dropped = connection.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).scalar()
        admin.dispose()
        assert dropped >= 1
        assert client.get("/").status_code == 200
        from webui.db import db

        with app.app_context():
            db.engine.dispose()
