"""Concurrent replays on SQLite (a file: threads need real connections)."""

from tests.api.concurrency import replay_concurrently


def test_replayed_batch_from_four_threads_is_stored_once(file_app, file_login):
    replay_concurrently(file_app, file_login)
