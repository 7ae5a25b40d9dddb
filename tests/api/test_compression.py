"""Compression in the embedded default (issue 19, item 2): `make run` is gunicorn without
nginx, so the app compresses the shell's files and large JSON answers itself when the
browser asks (Accept-Encoding), sends them plain when it does not, compresses a shell file
once per shell version, and keeps the shell's ETag / 304 revalidation working."""

import gzip

import brotli
import pytest
from flask_compress import flask_compress

from cslp_forms.pwa import PWA_DIR

SHELL = [("/pwa/js/app.js", PWA_DIR / "js" / "app.js"),
         ("/pwa/css/app.css", PWA_DIR / "css" / "app.css"), ("/", None), ("/sw.js", None)]
DECODE = {"gzip": gzip.decompress, "br": brotli.decompress}


@pytest.mark.parametrize("encoding", ["gzip", "br"])
@pytest.mark.parametrize(("url", "path"), SHELL)
def test_a_shell_file_comes_compressed_when_asked_and_plain_when_not(client, url, path,
                                                                      encoding):
    plain = client.get(url)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    if path is not None:
        assert plain.data == path.read_bytes()
    packed = client.get(url, headers={"Accept-Encoding": encoding})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert DECODE[encoding](packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    for res in (plain, packed):
        if "ETag" in res.headers:  # revalidation still answers 304, each in its encoding
            again = client.get(url, headers={"Accept-Encoding": res.headers.get(
                "Content-Encoding", "identity"), "If-None-Match": res.headers["ETag"]})
            assert again.status_code == 304 and again.data == b""
        res.close()


def test_the_shell_is_compressed_once_not_per_request(client, monkeypatch):
    import cslp_forms.compression as compression

    calls = []
    original, best = flask_compress._compress_data, compression.compress_best

    def counting(app, data, algorithm):
        calls.append(algorithm)
        return original(app, data, algorithm)

    def counting_best(data, algorithm):
        calls.append(algorithm)
        return best(data, algorithm)

    monkeypatch.setattr(flask_compress, "_compress_data", counting)
    monkeypatch.setattr(compression, "compress_best", counting_best)
    for _ in range(3):
        client.get("/pwa/js/db.js", headers={"Accept-Encoding": "gzip"}).close()
        client.get("/pwa/js/db.js", headers={"Accept-Encoding": "br"}).close()
    assert calls == ["gzip", "br"]


@pytest.mark.parametrize("url", ["/pwa/js/i18n/vi.js", "/", "/api/forms"])
def test_what_is_compressed_once_is_compressed_smallest(client, url):
    """Issue 19, 3G cold: compressed once, the shell (and the form definitions, the same
    for every phone) can take brotli's slowest setting: 15 % fewer bytes than its default
    here on a phone's first visit."""
    plain = client.get(url).data
    packed = client.get(url, headers={"Accept-Encoding": "br"})
    assert brotli.decompress(packed.data) == plain
    assert len(packed.data) == len(brotli.compress(plain, quality=11))
    assert len(packed.data) < len(brotli.compress(plain, quality=4))
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert len(zipped.data) <= len(gzip.compress(plain, 6))
    packed.close()
    zipped.close()


def test_the_forms_are_compressed_once_per_version(login, monkeypatch):
    officer = login("canbo.anthanh2")
    first = officer.get("/api/forms", headers={"Accept-Encoding": "br"}).data
    monkeypatch.setattr(flask_compress, "_compress_data", lambda *a: pytest.fail("again"))
    import cslp_forms.compression as compression

    monkeypatch.setattr(compression, "compress_best", lambda *a: pytest.fail("again"))
    assert officer.get("/api/forms", headers={"Accept-Encoding": "br"}).data == first


def test_a_new_shell_version_is_compressed_anew(client, app):
    """The worker a phone is offered must be the new one, not the old one kept compressed."""
    first = client.get("/sw.js", headers={"Accept-Encoding": "gzip"})
    source = app.extensions["cslp_sw"]
    app.extensions["cslp_sw"] = source.replace('const VERSION = "', 'const VERSION = "new-')
    second = client.get("/sw.js", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(first.data).decode() == source
    assert gzip.decompress(second.data).decode() == app.extensions["cslp_sw"] != source


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_large_json_answer_comes_compressed_when_asked_and_plain_when_not(login, encoding):
    officer = login("canbo.anthanh2")
    plain = officer.get("/api/forms")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert len(plain.data) > 10_000
    packed = officer.get("/api/forms", headers={"Accept-Encoding": encoding})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == encoding
    assert DECODE[encoding](packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3
    again = officer.get("/api/forms", headers={"Accept-Encoding": encoding,
                                               "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_a_small_json_answer_stays_plain(login):
    officer = login("canbo.anthanh2")
    res = officer.get("/api/auth/me", headers={"Accept-Encoding": "gzip, br"})
    assert res.status_code == 200 and len(res.data) < 1024
    assert "Content-Encoding" not in res.headers


def test_behind_nginx_compression_can_be_left_to_nginx():
    from tests.conftest import make_app

    app = make_app(DATABASE_URL="sqlite://", COMPRESS_REGISTER=False)
    res = app.test_client().get("/pwa/js/app.js", headers={"Accept-Encoding": "gzip"})
    assert res.status_code == 200 and "Content-Encoding" not in res.headers
    res.close()


def test_revalidating_compressed_forms_compresses_nothing(login, monkeypatch):
    officer = login("canbo.anthanh2")
    etag = officer.get("/api/forms", headers={"Accept-Encoding": "br"}).headers["ETag"]
    assert etag.endswith(':br"')
    calls = []
    monkeypatch.setattr(flask_compress, "_compress_data", lambda *a: calls.append(a))
    again = officer.get("/api/forms", headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and calls == []
