"""Rules the client keeps a copy of agree with the server's one definition."""

import json
import re
from pathlib import Path

from cslp_forms.models import REVIEWER_ROLES

ROLES_JS = Path(__file__).resolve().parents[2] / "static" / "pwa" / "js" / "roles.js"


def test_the_clients_reviewer_roles_are_the_servers():
    found = re.search(r"const REVIEWER_ROLES = (\[[^\]]*\]);", ROLES_JS.read_text())
    assert found, "static/pwa/js/roles.js no longer defines REVIEWER_ROLES"
    assert tuple(json.loads(found.group(1))) == REVIEWER_ROLES
