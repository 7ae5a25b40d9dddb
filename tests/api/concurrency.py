"""Replaying one batch from several threads at once: each record is stored once."""

import threading
from collections import Counter

from sqlalchemy import func, select

from cslp_forms.extensions import db
from cslp_forms.models import Submission, SubmissionRevision
from tests.api.sync_helpers import item


def replay_concurrently(app, login, *, threads=4, rounds=3, size=20):
    batch = [item() for _ in range(size)]
    sessions = [login("canbo.anthanh2") for _ in range(threads)]
    statuses: list[tuple[str, str]] = []
    failures: list[str] = []
    start = threading.Barrier(threads)

    def run(session):
        start.wait()
        for _ in range(rounds):
            res = session.post("/api/sync", json={"items": batch})
            if res.status_code != 200:
                failures.append(res.get_data(as_text=True))
                continue
            statuses.extend((r["uuid"], r["status"]) for r in res.get_json()["results"])

    workers = [threading.Thread(target=run, args=(s,)) for s in sessions]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert failures == []
    accepted = Counter(u for u, s in statuses if s == "accepted")
    assert set(accepted.values()) == {1} and len(accepted) == size
    assert {s for _, s in statuses} == {"accepted", "duplicate"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == size
        assert db.session.scalar(select(func.count()).select_from(SubmissionRevision)) == size
        seqs = db.session.scalars(select(Submission.change_seq)).all()
        assert None not in seqs and len(set(seqs)) == size
