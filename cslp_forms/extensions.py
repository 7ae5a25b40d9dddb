"""Flask extensions, created unbound and initialised in create_app."""

from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

# Named constraints so SQLite and PostgreSQL migrations agree and can be altered later.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def render_item(type_, obj, autogen_context):
    """Migrations spell our column types as their plain SQLAlchemy base, so a revision
    never imports application code."""
    if type_ == "type" and hasattr(obj, "impl"):
        return f"sa.{obj.impl_instance!r}"
    return False


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_item)
login_manager = LoginManager()
compress = Compress()
