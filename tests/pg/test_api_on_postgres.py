"""The API behaviours of tests/api, run again against PostgreSQL (this package's `app`
fixture), so both databases answer the same."""

import pytest

from tests.api.test_accounts import *  # noqa: F403
from tests.api.test_admin_audit import *  # noqa: F403
from tests.api.test_attachments import *  # noqa: F403
from tests.api.test_auth import *  # noqa: F403
from tests.api.test_changes import *  # noqa: F403
from tests.api.test_deadlines import *  # noqa: F403
from tests.api.test_devices import *  # noqa: F403
from tests.api.test_errors import *  # noqa: F403
from tests.api.test_forms import *  # noqa: F403
from tests.api.test_import import *  # noqa: F403
from tests.api.test_privacy import *  # noqa: F403
from tests.api.test_push import *  # noqa: F403
from tests.api.test_report_exports import *  # noqa: F403
from tests.api.test_report_indicators import *  # noqa: F403
from tests.api.test_report_plan import *  # noqa: F403
from tests.api.test_report_targets import *  # noqa: F403
from tests.api.test_report_year_end import *  # noqa: F403
from tests.api.test_review import *  # noqa: F403
from tests.api.test_sync import *  # noqa: F403
from tests.api.test_units import *  # noqa: F403
from tests.api.test_users import *  # noqa: F403
from tests.unit.test_units_loading import *  # noqa: F403

pytestmark = pytest.mark.pg
