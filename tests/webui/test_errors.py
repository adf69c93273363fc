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
