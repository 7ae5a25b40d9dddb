"""Loading the official unit lists, the 2024 change and the 2025 mapping; subtree SQL."""

from datetime import date

import pytest
from sqlalchemy import func, select

from cslp_forms.extensions import db
from cslp_forms.models import Unit, UnitSuccession
from cslp_forms.services.base import units as svc


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def count(model=Unit):
    return db.session.scalar(select(func.count(model.id)))


def test_base_list_has_the_published_totals(ctx):
    assert count() == 120
    levels = dict(db.session.execute(select(Unit.level, func.count()).group_by(Unit.level)).all())
    assert levels == {"province": 1, "district": 11, "commune": 108}


def test_loading_the_same_list_again_changes_nothing(ctx):
    report = svc.load_unit_file(svc.UNITS_2024, valid_from=date(2024, 1, 1))
    assert not report.changed and report.rows == 120
    assert "không có gì thay đổi" in report.describe()
    assert count() == 120


def test_a_renamed_unit_is_updated_in_place(ctx, tmp_path):
    text = svc.UNITS_2024.read_text(encoding="utf-8").replace(
        "31729,Xã Hòa Tú II", "31729,Xã Hòa Tú 2")
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    before = svc.find_version("31729").id
    report = svc.load_unit_file(path, valid_from=date(2024, 1, 1))
    assert report.updated == ["31729 Xã Hòa Tú 2"] and not report.created
    assert svc.find_version("31729").id == before


def test_a_unit_moved_to_another_parent_takes_its_subtree_path(ctx, tmp_path):
    text = svc.UNITS_2024.read_text(encoding="utf-8").replace(
        "945,Huyện Cù Lao Dung,district,94", "945,Huyện Cù Lao Dung,district,941")
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    svc.load_unit_file(path, valid_from=date(2024, 1, 1))
    city = svc.find_version("941")
    codes = {u.code for u in db.session.scalars(svc.subtree(city))}
    assert {"945", "31630", "31633"} <= codes


def test_subtree_of_cu_lao_dung_is_the_district_and_its_eight_communes(ctx):
    district = svc.find_version("945")
    units = list(db.session.scalars(svc.subtree(district)))
    assert len(units) == 9
    assert {u.level for u in units} == {"district", "commune"}


def test_subtree_is_one_sql_query(ctx, app):
    from sqlalchemy import event

    statements = []
    engine = db.engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        province = svc.find_version("94")
        statements.clear()
        assert len(list(db.session.scalars(svc.subtree(province)))) == 120
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 1 and "LIKE" in statements[0]


def test_ancestors_give_the_path(ctx):
    path = [u.name for u in svc.ancestors(svc.find_version("31630"))]
    assert path == ["Tỉnh Sóc Trăng", "Huyện Cù Lao Dung", "Xã An Thạnh 2"]


def test_2024_change_keeps_the_old_versions(ctx):
    old_31522 = svc.find_version("31522", date(2024, 5, 1))
    report = svc.load_unit_file(svc.CHANGES_2024, valid_from=date(2024, 1, 1))
    assert report.changed
    assert count() == 122
    # Jan–Aug 2024: 109 communes (31513 Phường 1 and 31522 Phường 9); from Sep: 108.
    assert svc.find_version("31522", date(2024, 5, 1)).name == "Phường 9"
    assert svc.find_version("31522", date(2024, 5, 1)).id == old_31522.id
    assert svc.find_version("31513", date(2024, 8, 31)).name == "Phường 1"
    assert svc.find_version("31513", date(2024, 9, 1)) is None
    assert svc.find_version("31522", date(2024, 9, 1)).name == "Phường 1"
    city = svc.find_version("941")
    assert len(svc.children(city, date(2024, 8, 1))) == 10
    assert len(svc.children(city, date(2024, 10, 1))) == 9
    assert count(UnitSuccession) == 2
    again = svc.load_unit_file(svc.CHANGES_2024, valid_from=date(2024, 1, 1))
    assert not again.changed and count() == 122
    # The base list again (make run does this on every start) leaves Phường 9 alone.
    base = svc.load_unit_file(svc.UNITS_2024, valid_from=date(2024, 1, 1))
    assert not base.changed
    assert svc.find_version("31522", date(2024, 5, 1)).name == "Phường 9"


def test_2025_mapping_reuses_codes_without_touching_old_versions(ctx):
    svc.load_unit_file(svc.CHANGES_2024, valid_from=date(2024, 1, 1))
    an_thanh_2 = svc.find_version("31630", date(2025, 1, 1))
    an_thanh_3 = svc.find_version("31633", date(2025, 1, 1))
    report = svc.load_unit_file(svc.MAPPING_2025, valid_from=date(2024, 1, 1))
    assert report.changed
    # The old versions keep their id and name; they just end on 30/6/2025.
    assert db.session.get(Unit, an_thanh_2.id).name == "Xã An Thạnh 2"
    assert db.session.get(Unit, an_thanh_3.id).valid_to == date(2025, 6, 30)
    # 31633 now means Xã Cù Lao Dung under Thành phố Cần Thơ (92).
    new = svc.find_version("31633", date(2025, 7, 1))
    assert new.name == "Xã Cù Lao Dung" and new.id != an_thanh_3.id
    assert [u.code for u in svc.ancestors(new)] == ["92", "31633"]
    assert svc.find_version("945", date(2025, 7, 1)) is None
    assert svc.find_version("94", date(2025, 7, 1)) is None
    can_tho = svc.find_version("92", date(2025, 7, 1))
    assert len(svc.children(can_tho, date(2025, 7, 1))) == 43
    successors = db.session.scalars(select(Unit.code).join(
        UnitSuccession, UnitSuccession.new_unit_id == Unit.id).where(
        UnitSuccession.old_unit_id == an_thanh_2.id)).all()
    assert successors == ["31633"]
    again = svc.load_unit_file(svc.MAPPING_2025, valid_from=date(2024, 1, 1))
    assert not again.changed


def test_unknown_file_format_is_refused(ctx, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(svc.UnitFileError):
        svc.load_unit_file(path, valid_from=date(2024, 1, 1))
