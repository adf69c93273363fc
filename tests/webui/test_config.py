"""webui/config.py: defaults and the instance's secret key."""

from __future__ import annotations

from webui.config import SECRET_KEY_FILE, Defaults, secret_key


def test_defaults_keep_data_in_the_instance_folder_and_limit_requests():
    assert Defaults.SQLALCHEMY_DATABASE_URI == "sqlite:///kinerja.sqlite"
    assert Defaults.MAX_CONTENT_LENGTH == 1024 * 1024
    assert not hasattr(Defaults, "SECRET_KEY")  # never in the code


def test_secret_key_is_created_once(tmp_path):
    key = secret_key(tmp_path / "new")
    assert (tmp_path / "new" / SECRET_KEY_FILE).read_text().strip() == key
    assert secret_key(tmp_path / "new") == key
    assert secret_key(tmp_path / "other") != key


def test_an_empty_key_file_is_replaced(tmp_path):
    (tmp_path / SECRET_KEY_FILE).write_text("\n")
    assert len(secret_key(tmp_path)) == 64
