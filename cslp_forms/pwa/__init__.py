"""Serves the installable client: the shell at /, the service worker at /sw.js (its
scope must be the site root), the manifest, and the modules under /pwa/."""

import hashlib
import json
import re
from pathlib import Path

from flask import Blueprint, current_app, request, send_from_directory

from ..compression import compress_once

PWA_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "pwa"
# Files the service worker precaches: everything the app needs to open offline.
SHELL_PATTERNS = ("css/*.css", "js/**/*.js", "icons/*.png")

# What a signed-in phone runs (home, the forms, the outbox, the sync): app.js loads it with
# import() as it starts, so that the sign-in screen waits for none of it.
LATER = "js/signed-in.js"

bp = Blueprint("pwa", __name__)

# A static `import … from "./x.js"` or `export … from "./x.js"`; `import("./x.js")` (a
# screen loaded on demand) does not match.
STATIC_IMPORT = re.compile(
    r"""\b(?:import|export)\s+(?:[\w*{}\s,$]+?\s+from\s+)?["'](\.{1,2}/[^"']+\.js)["']""")


def shell_files() -> list[Path]:
    files = {p for pattern in SHELL_PATTERNS for p in PWA_DIR.glob(pattern)}
    return sorted([PWA_DIR / "index.html", PWA_DIR / "manifest.webmanifest", *files])


def shell_urls() -> list[str]:
    urls = []
    for path in shell_files():
        rel = path.relative_to(PWA_DIR).as_posix()
        urls.append({"index.html": "/", "manifest.webmanifest": "/manifest.webmanifest"}.get(
            rel, f"/pwa/{rel}"))
    return urls


def start_modules(entry: str = "js/app.js") -> list[str]:
    """The modules the first screen runs: `entry` and everything it imports statically,
    transitively (screens loaded with import() are not among them), as /pwa/ URLs, each
    after the modules it imports."""
    order: list[str] = []
    seen: set[Path] = set()

    def visit(path: Path) -> None:
        if path in seen or not path.is_file():
            return
        seen.add(path)
        for target in STATIC_IMPORT.findall(path.read_text(encoding="utf-8")):
            visit((path.parent / target).resolve())
        order.append("/pwa/" + path.relative_to(PWA_DIR.resolve()).as_posix())

    visit((PWA_DIR / entry).resolve())
    return order


def later_modules() -> list[str]:
    """The modules of LATER (and what it imports statically) that the first screen does
    not run already, each after the modules it imports."""
    first = set(start_modules())
    return [url for url in start_modules(LATER) if url not in first]


def index_source() -> str:
    """index.html with a <link rel="modulepreload"> per module the first screen needs, so
    the browser fetches them at once instead of one import round after another, then one
    per module of LATER: asked for behind the sign-in screen's (which do not wait for
    them), here before home and her first form need them. (At a low priority they came
    from the worker's cache, on a reopen, a third of a second later.)"""
    cached = current_app.extensions.get("cslp_index")
    if cached and not current_app.debug:
        return cached
    source = (PWA_DIR / "index.html").read_text(encoding="utf-8")
    links = "".join(f'\n  <link rel="modulepreload" href="{url}">' for url in start_modules())
    links += "".join(f'\n  <link rel="modulepreload" href="{url}">' for url in later_modules())
    entry = '<script type="module" src="/pwa/js/app.js"></script>'
    source = source.replace(entry, entry + links, 1)
    current_app.extensions["cslp_index"] = source
    return source


def shell_version() -> str:
    """The shell's version: a hash of every shell file and the worker itself (a phone
    running another one has not taken the update yet)."""
    cached = current_app.extensions.get("cslp_shell_version")
    if cached and not current_app.debug:
        return cached
    digest = hashlib.sha256()
    for path in [*shell_files(), PWA_DIR / "sw.js"]:
        digest.update(path.relative_to(PWA_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    current_app.extensions["cslp_shell_version"] = version = digest.hexdigest()[:16]
    return version


def service_worker_source() -> str:
    """sw.js with its VERSION (shell_version) and the precache list filled in: changing
    any shell file makes the browser see an update."""
    cached = current_app.extensions.get("cslp_sw")
    if cached and not current_app.debug:
        return cached
    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
    source = source.replace('"__VERSION__"', json.dumps(shell_version()))
    source = source.replace('["__SHELL__"]', json.dumps(shell_urls()))
    current_app.extensions["cslp_sw"] = source
    return source


def _send(name: str, mimetype: str | None = None):
    response = send_from_directory(PWA_DIR, name, mimetype=mimetype, max_age=0)
    if response.status_code == 304:
        # werkzeug opened the file before it knew the answer was "not modified", and a
        # 304 is sent without reading it: close it now (left to the garbage collector it
        # is a ResourceWarning in some later, unrelated place).
        response.close()
    elif response.status_code == 200 and response.direct_passthrough:
        # Shell files are small: read whole now and closed, not streamed from an open file
        # (a phone that goes away mid-answer, the worker's precache behind the first screen,
        # would leave it open in werkzeug's dropped connection). Held whole, flask-compress
        # can compress it, and keeps the compressed shell (ShellCache) for the next phone.
        with response:
            body = b"".join(response.response)
        response.direct_passthrough = False
        response.set_data(body)
        if response.mimetype in current_app.config["COMPRESS_MIMETYPES"]:
            compress_once(response.get_etag()[0], body)
    # The worker decides what is cached; the browser must always revalidate the shell.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index():
    response = current_app.response_class(index_source(), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    etag = hashlib.sha256(response.get_data()).hexdigest()[:32]
    response.set_etag(etag)
    compress_once(etag, response.get_data())
    return response.make_conditional(request)


@bp.get("/sw.js")
def service_worker():
    source = service_worker_source()
    compress_once(hashlib.sha256(source.encode()).hexdigest(), source.encode())
    response = current_app.response_class(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    return _send("manifest.webmanifest", "application/manifest+json")


@bp.get("/pwa/<path:name>")
def asset(name):
    return _send(name)
