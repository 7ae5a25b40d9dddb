"""Serves the installable client: the shell at /, the service worker at /sw.js (its
scope must be the site root) and the manifest."""

from pathlib import Path

from flask import Blueprint, send_from_directory

PWA_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "pwa"

bp = Blueprint("pwa", __name__)


def _send(name: str, mimetype: str | None = None):
    response = send_from_directory(PWA_DIR, name, mimetype=mimetype, max_age=0)
    # The worker decides what is cached; the browser must always revalidate the shell.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index():
    return _send("index.html")


@bp.get("/sw.js")
def service_worker():
    response = _send("sw.js", "text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    return _send("manifest.webmanifest", "application/manifest+json")


@bp.get("/pwa/<path:name>")
def asset(name):
    return _send(name)
