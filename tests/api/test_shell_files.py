"""The shell as served (issue 19, items 2 and "3G cold"): index.html names every module
the sign-in screen imports as a modulepreload, then every module of what a signed-in phone
runs (signed-in.js, which app.js loads with import()), both computed from the files, so
the browser fetches them at once rather than one import round after another, and the
sign-in screen waits for none of the second list; screens loaded on demand are in
neither."""

import re

from cslp_forms.pwa import LATER, PWA_DIR, later_modules, start_modules


def test_index_preloads_exactly_the_modules_the_first_screens_import(client):
    res = client.get("/")
    assert res.status_code == 200 and res.headers["Cache-Control"] == "no-cache"
    html = res.get_data(as_text=True)
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    first, later = start_modules(), later_modules()
    assert preloaded == first + later  # the sign-in screen's first
    assert "/pwa/js/app.js" in first and "/pwa/js/views/login.js" in first
    for module in ("outbox.js", "sync.js", "views/home.js", "views/form.js", "forms/render.js"):
        assert f"/pwa/js/{module}" in later and f"/pwa/js/{module}" not in first
    assert not set(first) & set(later)
    for lazy in ("views/dashboard.js", "views/review.js", "views/admin.js", "views/devices.js"):
        assert f"/pwa/js/{lazy}" not in first + later  # loaded by import() when opened
    for url in first + later:
        assert (PWA_DIR / url.removeprefix("/pwa/")).is_file(), url
    again = client.get("/", headers={"If-None-Match": res.headers["ETag"].strip('"')})
    assert again.status_code == 304


def test_app_loads_the_signed_in_modules_the_shell_preloads():
    """LATER names the module app.js loads with import() as it starts: were it renamed in
    one place only, its modules would be preloaded for nothing, or not at all."""
    app = (PWA_DIR / "js" / "app.js").read_text(encoding="utf-8")
    assert f'import("./{LATER.removeprefix("js/")}")' in app
    assert f"/pwa/{LATER}" == later_modules()[-1]


def test_the_import_graph_follows_static_imports_and_skips_dynamic_ones(tmp_path, monkeypatch):
    import cslp_forms.pwa as pwa

    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text(
        'import { a } from "./a.js";\nimport {\n  b,\n} from "./b.js";\n'
        'export { c } from "./c.js";\nconst lazy = () => import("./lazy.js");\n')
    for name in ("a", "b", "c", "lazy"):
        text = 'import "./shared.js";\n' if name == "a" else ""
        (tmp_path / "js" / f"{name}.js").write_text(text)
    (tmp_path / "js" / "shared.js").write_text("")
    monkeypatch.setattr(pwa, "PWA_DIR", tmp_path)
    assert pwa.start_modules() == ["/pwa/js/shared.js", "/pwa/js/a.js", "/pwa/js/b.js",
                                   "/pwa/js/c.js", "/pwa/js/app.js"]


def test_a_not_modified_module_leaves_no_file_open(client):
    """The service worker revalidates every module (304s): each one used to leave its file
    open until the garbage collector found it, a ResourceWarning in a later test."""
    import gc
    import warnings

    first = client.get("/pwa/js/app.js")
    etag = first.headers["ETag"]
    first.close()  # a server closes what it has sent; the test client leaves that to us
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(3):
            assert client.get("/pwa/js/app.js", headers={"If-None-Match": etag}
                              ).status_code == 304
        gc.collect()
    assert [str(w.message) for w in seen if w.category is ResourceWarning] == []
