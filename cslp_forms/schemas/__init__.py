"""marshmallow schemas, one module per feature."""
