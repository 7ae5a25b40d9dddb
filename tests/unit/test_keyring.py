"""The keyring follows its sources: a worker sees another process's rotation."""

import base64
import json
import os

import pytest
from flask import Flask

from cslp_forms.services.base.crypto import KeyError_, load_keyring


def _app(tmp_path, **config) -> Flask:
    app = Flask(__name__, instance_path=str(tmp_path))
    app.config.update(config)
    return app


def _write(tmp_path, **keys) -> None:
    text = ",".join(f"{k}={base64.b64encode(v).decode()}" for k, v in keys.items())
    (tmp_path / "data_keys.json").write_text(json.dumps({"keys": text}))


def test_a_worker_seals_under_the_key_another_process_made_current(tmp_path):
    _write(tmp_path, kold=os.urandom(32))
    worker = load_keyring(_app(tmp_path))
    old_kid, old_blob = worker.seal(b"x", b"aad")
    operator = load_keyring(_app(tmp_path))
    new = operator.add_new_key()
    assert worker.seal(b"y", b"aad")[0] == new
    kid, blob = operator.seal(b"z", b"aad")
    assert worker.open(kid, blob, b"aad") == b"z"
    operator.remove_key(old_kid)
    assert "kold" not in json.loads((tmp_path / "data_keys.json").read_text())["keys"]
    with pytest.raises(KeyError_):
        load_keyring(_app(tmp_path)).open(old_kid, old_blob, b"aad")


def test_an_unknown_key_id_makes_the_ring_read_again_without_a_seal(tmp_path):
    _write(tmp_path, kold=os.urandom(32))
    worker = load_keyring(_app(tmp_path))
    operator = load_keyring(_app(tmp_path))
    operator.add_new_key()
    kid, blob = operator.seal(b"secret", b"aad")
    assert worker.open(kid, blob, b"aad") == b"secret"
    assert worker.mac(kid, b"c") == operator.mac(kid, b"c")


def test_a_changed_setting_is_followed(tmp_path):
    app = _app(tmp_path, DATA_KEY="k1=" + base64.b64encode(os.urandom(32)).decode())
    ring = load_keyring(app)
    assert ring.seal(b"a", b"")[0] == "k1"
    app.config["DATA_KEY"] = ("k2=" + base64.b64encode(os.urandom(32)).decode()
                              + "," + app.config["DATA_KEY"])
    assert ring.seal(b"a", b"")[0] == "k2"


def test_a_key_file_caught_half_written_keeps_the_keys_that_work(tmp_path):
    _write(tmp_path, kold=os.urandom(32))
    ring = load_keyring(_app(tmp_path))
    (tmp_path / "data_keys.json").write_text('{"keys": "knew=')
    assert ring.seal(b"a", b"")[0] == "kold"
    with pytest.raises(KeyError_):
        ring.open("kmissing", b"0" * 40, b"")


def test_production_can_keep_its_keys_in_a_file_and_rotate_without_a_restart(tmp_path):
    """Issue 14, item 10: with CSLP_DATA_KEY the workers cannot see a rotation until they
    restart; CSLP_DATA_KEY_FILE keeps the keys in a file they follow instead."""
    keys = tmp_path / "keys" / "data_keys.json"
    keys.parent.mkdir()
    instance = tmp_path / "instance"
    instance.mkdir()
    production = {"DATABASE_URL": "postgresql://x/y", "DATA_KEY_FILE": str(keys)}
    with pytest.raises(RuntimeError, match="CSLP_DATA_KEY_FILE"):
        load_keyring(_app(instance, **production))
    keys.write_text(json.dumps({"keys": "k1=" + base64.b64encode(os.urandom(32)).decode()}))
    worker = load_keyring(_app(instance, **production))
    assert worker.seal(b"a", b"")[0] == "k1"
    operator = load_keyring(_app(instance, **production))
    new = operator.add_new_key()
    assert worker.seal(b"b", b"")[0] == new
    assert "k1" in json.loads(keys.read_text())["keys"]
    assert not (instance / "data_keys.json").exists()
