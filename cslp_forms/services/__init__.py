"""Business rules: plain arguments in, model objects or dicts out. Views and `flask cslp`
commands call them; they call nothing above them. Five tiers, each importing only the
tiers before it (tests/unit/test_layers.py fails on an import pointing up, or a cycle):

base/       no workflow: SQL helpers (inserts two workers can race on, the adding
            upsert, the retry on contention), clock, crypto, periods (the union's cut-off
            month, month ends), units (`within` / `in_subtree`: the one subtree filter),
            form definitions, push delivery, and `effects`: what waits for the
            transaction to end.
records/    the submission aggregate: its content and digest, title and "reached a
            service" (content), sealing, who may see what and the access log (access),
            the API payload, change stamps, the review chain, report facts, and the
            notices it sends (notices.notify pushes once the transaction has committed),
            and a case's or group's timeline and derived state (timeline).
*.py        use cases, one per feature (sync, review, deadlines, users, attachments,
            notifications, cases, devices, form_versions); they never import each other.
reports/    indicators and their catalogue, small-cell suppression, targets and the
            year's plan, exports, the year-end report, completeness.
tasks/      what `flask cslp …` runs that commits as it goes: key rotation, retention
            purge, rebuilding the report facts, reminders, backup, the demo generator.

Services flush; only views, commands and tasks/ commit (a view that may collide with
another writer commits through cslp_forms.unit_of_work). A side effect has one home: a
service that must push, or log a refused read, schedules it with base.effects; no view
has to remember a second call. A rule (a status or role set, the subtree, a period
boundary, a record's title) is defined once beside what it constrains and imported;
every text a problem shows is in cslp_forms/problems.py."""
