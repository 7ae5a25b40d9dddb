"""gunicorn settings for production (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`).
Each can be overridden for one machine through GUNICORN_CMD_ARGS, e.g.
GUNICORN_CMD_ARGS="--bind 10.0.0.5:8000 --workers 9" (docs/DEPLOY.md)."""

import multiprocessing
import os

# nginx on the same machine talks to this address; never expose it to the internet.
bind = "127.0.0.1:8000"

# Processes x threads: requests wait mostly on the database (pushes go out from a courier
# thread, never inside a request), so a few threads per process keep the CPU busy.
# Default 2 x cores + 1 processes (5 on 2 cores), or WEB_CONCURRENCY.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = 4

# gthread: a worker that stops answering its arbiter for this long is killed and replaced.
# A slow request (an XLSX export) does not count: its thread runs while the worker lives.
timeout = 60
# On restart or stop (SIGTERM, systemctl restart) requests in flight get this long to
# finish. A sync batch cut short is rolled back and the phone sends it again: nothing is
# lost or doubled (exactly-once rests on the database).
graceful_timeout = 30
# nginx opens a new connection per request (no upstream keepalive): keep this short.
keepalive = 2

# Recycle each worker after this many requests (bounded memory whatever leaks).
max_requests = 2000
max_requests_jitter = 200

# Request line and headers: gunicorn answers what exceeds its own limits with an HTML page
# the phone cannot read, so its limits sit above the app's (CSLP_MAX_URI_BYTES 4096,
# CSLP_MAX_HEADER_FIELDS 100, CSLP_MAX_HEADER_BYTES 8190), and the app answers 414 / 431
# as problem+json. 8190 is the largest request line gunicorn allows; beyond it, in
# production, nginx refuses first (its 8 KB header buffers) with the same kind of answer.
limit_request_line = 8190
limit_request_fields = 400
limit_request_field_size = 16384

# Both logs to stdout/stderr: systemd's journal (`journalctl -u cslp-forms`).
accesslog = "-"
errorlog = "-"
loglevel = "info"
# With CSLP_PROXY_FIX=1 the app's ProxyFix sets REMOTE_ADDR from X-Forwarded-For, so %(h)s
# is the phone's address; %(M)s is the duration in milliseconds.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# gunicorn 24+ opens a control socket for `gunicornc` in $XDG_RUNTIME_DIR or
# $HOME/.gunicorn; the service has neither writable (its home is the read-only checkout)
# and nothing here uses it. Older gunicorn ignores this setting.
control_socket_disable = True

# Never preload: the database engine must not be created before the fork.
preload_app = False
