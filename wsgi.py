"""Entry point for gunicorn and `flask --app wsgi`."""

from cslp_forms import create_app

app = create_app()
