"""Business rules: plain arguments in, model objects or dicts out. Services flush;
views and CLI commands commit."""
