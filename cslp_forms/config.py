"""Configuration defaults. Every setting can be overridden by a `CSLP_`-prefixed
environment variable (see README); secrets have no usable production default."""


# Read by create_app: CSLP_DATABASE_URL. Empty means the embedded SQLite database in
# instance/, which is also the only case where a secret key is generated on disk.
DATABASE_URL = ""
SECRET_KEY = None

# No pool_pre_ping (a round trip to the server before every request's first statement):
# a pooled PostgreSQL connection the server has closed is found by its socket at
# checkout instead (cslp_forms._closed_by_the_server), and none is kept longer than
# half an hour (a firewall may drop an idle connection without a word).
SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}

# Sessions: an HttpOnly, SameSite=Lax cookie that survives a phone restart. Secure is
# also set per request when the request came over HTTPS (see auth.session).
SESSION_COOKIE_NAME = "cslp_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
SESSION_DAYS = 30
# Set the cookie only when the session changes: a slow response of an older session (a
# sync that started before she signed in again) must not overwrite the new cookie.
SESSION_REFRESH_EACH_REQUEST = False

# Compression (flask-compress) for the embedded default, where gunicorn answers phones
# itself: the shell's files (compressed once per shell version, cslp_forms.pwa) and JSON
# answers of at least COMPRESS_MIN_SIZE bytes, brotli or gzip as the browser asks. Behind
# nginx (which compresses, deploy/nginx) CSLP_COMPRESS_REGISTER=false leaves it to nginx;
# left on, nginx passes what is compressed already as it is.
COMPRESS_REGISTER = True
COMPRESS_ALGORITHM = ["br", "gzip"]
COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                      "application/json", "application/manifest+json"]
COMPRESS_MIN_SIZE = 1024
COMPRESS_LEVEL = 6
COMPRESS_BR_LEVEL = 4
COMPRESS_STREAMS = False

# Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
PROXY_FIX = 0

# werkzeug's scrypt with its default cost; tests lower the cost, never the algorithm.
PASSWORD_HASH_METHOD = "scrypt"

# Sign-in throttling: this many failures for one account within the window gives 429.
LOGIN_MAX_FAILURES = 10
# Failed sign-ins one client address may make in the window, whatever the account names.
LOGIN_MAX_CLIENT_FAILURES = 30
LOGIN_WINDOW_SECONDS = 15 * 60
# A one-time sign-in code (new account, password reset) works once, for this many days:
# long enough to reach a commune officer at the next training day or meeting.
SIGN_IN_CODE_DAYS = 7
# The most rows POST /api/users/import reads from one sheet.
IMPORT_MAX_ROWS = 10000

# Largest request body accepted (photos are at most 5 MB; JSON batches far less).
MAX_CONTENT_LENGTH = 6 * 1024 * 1024
# Largest request target (path and query), number of header fields, and header value the
# app takes; beyond them it answers 414 / 431 problems. gunicorn and nginx let more
# through (deploy/), so these are the limits a client meets.
MAX_URI_BYTES = 4096
MAX_HEADER_FIELDS = 100
MAX_HEADER_BYTES = 8190

# Photos uploaded that no record lists yet, per person, at most this many bytes (the phone
# sends a record's photos just before the record); photos no record lists are removed by
# `flask cslp purge` this many days after their last upload.
UPLOAD_PENDING_BYTES = 200 * 1024 * 1024
UPLOAD_GRACE_DAYS = 30

# Once a province administrator publishes a form's next version, phones still send new
# records on the old one (drafts started offline) for this many days; after that such a
# draft is refused with form.version_expired. Returned records keep their own version.
FORM_VERSION_GRACE_DAYS = 60

# Local time of the union: "today", periods and due dates are computed in this zone.
TIMEZONE = "Asia/Ho_Chi_Minh"

# The plan year starts here: a unit list loaded without --valid-from is valid from it.
UNITS_VALID_FROM = "2024-01-01"

# Data keys for incident answers at rest ("kid=base64,..."; the first is current). Empty:
# instance/data_keys.json, written on first start for the embedded default; required in
# production (CSLP_DATABASE_URL set). See README, "Keys".
DATA_KEY = None
# The key file (same shape, JSON {"keys": "..."}, mode 0600): instance/data_keys.json when
# empty. Production may keep its keys here instead of CSLP_DATA_KEY, to rotate without a
# restart (running workers follow the file).
DATA_KEY_FILE = None

# Closed incident records are purged this many days after their last change
# (`flask cslp purge`). No legal period was found; this is the union's policy to set.
INCIDENT_RETENTION_DAYS = 5 * 365

# Web Push: the VAPID private key (PEM). Empty: instance/vapid_private.pem, made on first
# use (or by `flask cslp gen-vapid`). The contact the push services may write to.
VAPID_PRIVATE_KEY = None
VAPID_SUBJECT = "mailto:cslp@hoiphunu-soctrang.invalid"
# Concurrent deliveries and the per-request timeout (seconds) towards push services.
PUSH_WORKERS = 32
PUSH_TIMEOUT = 5
# Subscriptions are accepted only for these push services (a browser's endpoint is on one
# of them; "*." matches any subdomain), so the server never posts to an address a user
# chose. CSLP_PUSH_HOSTS='["push.example.org"]' replaces the list (the tests name their
# fake on 127.0.0.1, with "http" in CSLP_PUSH_ENDPOINT_SCHEMES).
PUSH_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com",
              "*.push.services.mozilla.com", "*.notify.windows.com", "web.push.apple.com",
              "*.push.apple.com")
PUSH_ENDPOINT_SCHEMES = ("https",)
# Devices a user may have subscribed at once; a new one replaces her oldest.
PUSH_MAX_SUBSCRIPTIONS = 5

# `flask cslp backup` on PostgreSQL runs this pg_dump; its major version must be at least
# the server's (e.g. /usr/lib/postgresql/15/bin/pg_dump).
PG_DUMP = "pg_dump"

# Demo accounts created by `flask cslp setup-demo` (make run).
DEMO_PASSWORD = None

