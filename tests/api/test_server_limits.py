"""Issue 14, item 9: gunicorn answered an overlong request line or oversized headers with
its own HTML page. With the production settings (deploy/gunicorn.conf.py, which `make run`
uses too) its limits sit above the app's, so a client meets the app's problem+json."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import pytest
import requests

from tests.chaos.test_chaos import ROOT, Gunicorn, _free_port
from tests.conftest import missing


def _migrated(tmp_path) -> str:
    """A migrated SQLite file: /api/forms reads the published form versions."""
    from flask_migrate import upgrade

    from cslp_forms.extensions import db
    from tests.conftest import make_app

    url = f"sqlite:///{tmp_path / 'limits.db'}"
    app = make_app(DATABASE_URL=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def server(tmp_path):
    live = Gunicorn(_migrated(tmp_path), tmp_path,
                    args=("--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
                          "--workers", "1"))
    live.start()
    yield f"http://127.0.0.1:{live.port}"
    live.stop()


def _problem(res: requests.Response, status: int, code: str) -> None:
    assert res.status_code == status, res.text[:300]
    assert res.headers["Content-Type"].startswith("application/problem+json"), res.text[:300]
    assert res.json()["code"] == code


def test_the_app_not_gunicorn_refuses_an_overlong_url(server):
    _problem(requests.get(f"{server}/api/forms/" + "a" * 5000, timeout=10), 414,
             "request.uri_too_long")
    _problem(requests.get(f"{server}/api/forms?x=" + "a" * 8000, timeout=10), 414,
             "request.uri_too_long")


def test_the_app_not_gunicorn_refuses_oversized_headers(server):
    _problem(requests.get(f"{server}/api/forms", headers={"X-Probe": "a" * 12000},
                          timeout=10), 431, "request.headers_too_large")
    many = {f"X-Probe-{n}": "1" for n in range(150)}
    _problem(requests.get(f"{server}/api/forms", headers=many, timeout=10), 431,
             "request.headers_too_large")
    assert requests.get(f"{server}/api/forms", headers={"X-Probe": "a" * 4000},
                        timeout=10).status_code == 200


def _nginx_conf(tmp_path, upstream_port: int, port: int) -> str:
    """deploy/nginx/cslp_forms.conf's HTTPS server, as plain HTTP on `port` (no
    certificate here), in front of the gunicorn on `upstream_port`."""
    text = (ROOT / "deploy" / "nginx" / "cslp_forms.conf").read_text()
    block = text[text.index("server {\n    listen 443"):]
    block = re.sub(r"\n\s*listen [^\n]*443[^\n]*", "", block)
    block = re.sub(r"\n\s*ssl_[^\n]*", "", block)
    block = block.replace("server {", f"server {{\n    listen 127.0.0.1:{port};", 1)
    block = re.sub(r"/var/log/nginx/", f"{tmp_path}/", block)
    return (f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/nginx-error.log;\n"
            "events {}\nhttp {\n include /etc/nginx/mime.types;\n"
            f" client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path};\n"
            f" upstream cslp_app {{ server 127.0.0.1:{upstream_port}; }}\n{block}\n}}\n")


def test_behind_the_deployed_nginx_every_oversized_request_gets_a_problem(tmp_path):
    if shutil.which("nginx") is None and not os.path.exists("/usr/sbin/nginx"):
        missing("no nginx (make test installs Debian's nginx)")
    live = Gunicorn(_migrated(tmp_path), tmp_path,
                    args=("--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
                          "--workers", "1"))
    live.start()
    port = _free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(_nginx_conf(tmp_path, live.port, port))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    try:
        subprocess.run([nginx, "-c", str(conf)], check=True, capture_output=True, timeout=20)
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                requests.get(f"{base}/api/forms", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        assert requests.get(f"{base}/api/forms", timeout=10).status_code == 200
        for length in (5000, 9000):  # the app refuses the first, nginx the second
            _problem(requests.get(f"{base}/api/forms/" + "a" * length, timeout=10), 414,
                     "request.uri_too_long")
        for headers in ({"X-Probe": "a" * 12000}, {f"X-Probe-{n}": "1" for n in range(150)}):
            _problem(requests.get(f"{base}/api/forms", headers=headers, timeout=10), 431,
                     "request.headers_too_large")
    finally:
        subprocess.run([nginx, "-c", str(conf), "-s", "stop"], capture_output=True, timeout=20)
        live.stop()
