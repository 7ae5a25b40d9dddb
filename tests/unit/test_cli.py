"""The `flask cslp` commands as an operator runs them."""

from cslp_forms.extensions import db
from cslp_forms.services.base import units as unit_service
from tests.conftest import make_app


def _runner(tmp_path, **config):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", **config)
    with app.app_context():
        db.create_all()
    return app, app.test_cli_runner()


def test_load_units_twice_reports_nothing_changed(tmp_path):
    _, runner = _runner(tmp_path)
    first = runner.invoke(args=["cslp", "load-units", str(unit_service.UNITS_2024)])
    assert first.exit_code == 0, first.output
    assert "created 120" in first.output and "units: 120" in first.output
    second = runner.invoke(args=["cslp", "load-units", str(unit_service.UNITS_2024)])
    assert second.exit_code == 0
    assert "nothing changed" in second.output and "units: 120" in second.output


def test_load_units_refuses_an_unknown_file(tmp_path):
    _, runner = _runner(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n", encoding="utf-8")
    result = runner.invoke(args=["cslp", "load-units", str(bad)])
    assert result.exit_code != 0 and "không nhận ra định dạng" in result.output


def test_setup_demo_prints_the_generated_password_once(tmp_path):
    app, runner = _runner(tmp_path)
    first = runner.invoke(args=["cslp", "setup-demo"])
    assert first.exit_code == 0, first.output
    line = next(x for x in first.output.splitlines() if "shown once" in x)
    password = line.rsplit(" ", 1)[1]
    client = app.test_client()
    res = client.post("/api/auth/login",
                      json={"username": "giamsat.culaodung", "password": password})
    assert res.status_code == 200
    second = runner.invoke(args=["cslp", "setup-demo"])
    assert "shown once" not in second.output and "demo accounts exist" in second.output
    assert client.get("/api/auth/me").status_code == 200


def test_setup_demo_uses_the_configured_password(tmp_path):
    app, runner = _runner(tmp_path, DEMO_PASSWORD="demo-pass-123")
    result = runner.invoke(args=["cslp", "setup-demo"])
    assert "shown once" not in result.output
    res = app.test_client().post("/api/auth/login",
                                 json={"username": "admin.tinh", "password": "demo-pass-123"})
    assert res.status_code == 200


def test_create_user_and_set_password(tmp_path):
    app, runner = _runner(tmp_path)
    runner.invoke(args=["cslp", "load-units", str(unit_service.UNITS_2024)])
    result = runner.invoke(args=["cslp", "create-user", "--username", "0912345678",
                                 "--display-name", "Chị Lan", "--role", "officer",
                                 "--unit", "31633"],
                           input="lan-trong-lua-2024\nlan-trong-lua-2024\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["cslp", "create-user", "--username", "x.y",
                                 "--display-name", "X", "--role", "officer", "--unit", "94"],
                           input="mat-khau-xy\nmat-khau-xy\n")
    assert result.exit_code != 0 and "cấp province" in result.output
    # "new password" in Vietnamese: too easy to guess (issue 14.9), refused with a reason.
    result = runner.invoke(args=["cslp", "set-password", "0912345678"],
                           input="moi-mat-khau\nmoi-mat-khau\n")
    assert result.exit_code != 0 and "dễ bị đoán" in result.output
    result = runner.invoke(args=["cslp", "set-password", "0912345678"],
                           input="cay-dua-ben-song\ncay-dua-ben-song\n")
    assert result.exit_code == 0
    res = app.test_client().post("/api/auth/login",
                                 json={"username": "0912345678", "password": "cay-dua-ben-song"})
    assert res.status_code == 200


def test_sign_in_code_from_the_command_line(tmp_path):
    """Issue 16.2: a one-time code when no administrator can give one on screen."""
    import re

    app, runner = _runner(tmp_path)
    runner.invoke(args=["cslp", "load-units", str(unit_service.UNITS_2024)])
    runner.invoke(args=["cslp", "create-user", "--username", "admin.tinh", "--display-name",
                        "QT", "--role", "admin", "--unit", "94"],
                  input="cay-dua-ben-song\ncay-dua-ben-song\n")
    result = runner.invoke(args=["cslp", "sign-in-code", "admin.tinh"])
    assert result.exit_code == 0, result.output
    code = re.search(r"([A-Z0-9]{5}-[A-Z0-9]{5})", result.output).group(1)
    client = app.test_client()
    assert client.post("/api/auth/login", json={"username": "admin.tinh",
                                                "password": "cay-dua-ben-song"}
                       ).status_code == 401
    res = client.post("/api/auth/login", json={"username": "admin.tinh", "code": code})
    assert res.status_code == 200 and res.get_json()["must_change_password"] is True
    assert runner.invoke(args=["cslp", "sign-in-code", "nobody"]).exit_code != 0
