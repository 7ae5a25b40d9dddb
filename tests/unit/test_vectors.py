"""The shared vectors, run by the server's validator (the browser runs them too)."""

import pytest

from tests.vectors import load_vectors

VECTORS = load_vectors()


def _key(error):
    return (error["field"], error["code"])


@pytest.mark.parametrize("file, name, definition, answers, attachments, expected",
                         VECTORS, ids=[f"{v[0]}:{v[1]}" for v in VECTORS])
def test_vector(file, name, definition, answers, attachments, expected):
    errors = definition.validate(answers, attachments)
    assert sorted(map(_key, errors)) == sorted(map(_key, expected))
    assert all(e["message"] for e in errors), "every error code has a message"
