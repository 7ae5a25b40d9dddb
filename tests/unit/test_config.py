"""Configuration from CSLP_* variables and the secret-key rules."""

import base64

import pytest

from cslp_forms import create_app


def test_database_url_and_secret_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CSLP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CSLP_DATABASE_URL", "postgresql://u@db.example/cslp")
    monkeypatch.setenv("CSLP_SECRET_KEY", "from-env")
    monkeypatch.setenv("CSLP_DATA_KEY", "k1=" + base64.b64encode(bytes(32)).decode())
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/cslp"
    assert app.config["SECRET_KEY"] == "from-env"


def test_production_database_without_secret_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("CSLP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CSLP_DATABASE_URL", "postgresql://u@db.example/cslp")
    monkeypatch.delenv("CSLP_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="CSLP_SECRET_KEY"):
        create_app()


def test_production_database_without_data_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("CSLP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CSLP_DATABASE_URL", "postgresql://u@db.example/cslp")
    monkeypatch.setenv("CSLP_SECRET_KEY", "s")
    monkeypatch.delenv("CSLP_DATA_KEY", raising=False)
    with pytest.raises(RuntimeError, match="CSLP_DATA_KEY"):
        create_app()


@pytest.mark.parametrize("value", ["not base64!", "k1=" + base64.b64encode(b"short").decode()])
def test_a_malformed_data_key_is_refused_without_showing_it(monkeypatch, tmp_path, value):
    monkeypatch.setenv("CSLP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CSLP_DATA_KEY", value)
    with pytest.raises(RuntimeError) as err:
        create_app()
    assert value not in str(err.value)


def test_embedded_default_generates_one_data_key_file(monkeypatch, tmp_path):
    monkeypatch.setenv("CSLP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("CSLP_DATABASE_URL", raising=False)
    monkeypatch.delenv("CSLP_DATA_KEY", raising=False)
    first = create_app().extensions["cslp_keyring"]
    assert oct((tmp_path / "data_keys.json").stat().st_mode & 0o777) == "0o600"
    again = create_app().extensions["cslp_keyring"]
    assert first.keys == again.keys and first.current == again.current


def test_embedded_default_generates_one_secret_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CSLP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("CSLP_DATABASE_URL", raising=False)
    monkeypatch.delenv("CSLP_SECRET_KEY", raising=False)
    first = create_app()
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'cslp.db'}"
    key_file = tmp_path / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert create_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64


def test_numeric_settings_come_typed_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("CSLP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CSLP_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("CSLP_SESSION_COOKIE_SECURE", "true")
    app = create_app()
    assert app.config["LOGIN_MAX_FAILURES"] == 3
    assert app.config["SESSION_COOKIE_SECURE"] is True
