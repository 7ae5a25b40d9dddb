"""The derived state of a case or group, and the rules an entry keeps: the server's one
function (services/records/timeline.py) and the phone's module (static/pwa/js/timeline.js)
give the same results for the shared vectors in tests/vectors/timeline/ (the module runs
here under Node, and in Chromium in tests/e2e/test_vectors_in_browser.py)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cslp_forms.services.records.timeline import derive_state, entry_refusal
from tests.conftest import missing
from tests.vectors.timeline import load_refusal_vectors, load_state_vectors

MODULE = Path(__file__).resolve().parents[2] / "static" / "pwa" / "js" / "timeline.js"
STATES = load_state_vectors()
REFUSALS = load_refusal_vectors()

RUN = """
import { deriveState, entryRefusal } from %s;
const input = JSON.parse(await new Promise((ok) => {
  let text = "";
  process.stdin.on("data", (c) => { text += c; });
  process.stdin.on("end", () => ok(text));
}));
const states = input.states.map((v) => deriveState(v.record, v.timeline, v.today));
const refusals = input.refusals.map(
  (v) => entryRefusal(v.record, v.timeline, v.answers, v.any_service));
process.stdout.write(JSON.stringify({ states, refusals }));
"""


def _subset(state: dict, expected: dict) -> dict:
    return {k: state.get(k, "<missing>") for k in expected}


@pytest.mark.parametrize("vector", STATES, ids=[f"{v['file']}:{v['name']}" for v in STATES])
def test_server_derives_the_expected_state(vector):
    state = derive_state(vector["record"], vector["timeline"], vector["today"])
    assert _subset(state, vector["state"]) == vector["state"]


@pytest.mark.parametrize("vector", REFUSALS, ids=[f"{v['file']}:{v['name']}" for v in REFUSALS])
def test_server_refuses_what_the_vector_says(vector):
    got = entry_refusal(vector["record"], vector["timeline"], vector["answers"],
                        vector["any_service"])
    assert (list(got) if got else None) == vector["refusal"]


def run_module(tmp_path) -> dict:
    node = shutil.which("node")
    if node is None:
        missing("Node.js is not installed: the phone's timeline.js cannot be run")
    copy = tmp_path / "timeline.mjs"  # Node reads a .js outside a package as CommonJS
    copy.write_text(MODULE.read_text(encoding="utf-8"), encoding="utf-8")
    script = RUN % json.dumps(copy.as_uri())
    payload = json.dumps({"states": STATES, "refusals": REFUSALS})
    done = subprocess.run([node, "--input-type=module", "-e", script], input=payload,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_phones_module_gives_the_servers_results(tmp_path):
    got = run_module(tmp_path)
    mismatches = []
    for vector, state in zip(STATES, got["states"], strict=True):
        server = derive_state(vector["record"], vector["timeline"], vector["today"])
        if state != server:  # the whole state, not only the keys the vector names
            mismatches.append((vector["file"], vector["name"], state, server))
    for vector, refusal in zip(REFUSALS, got["refusals"], strict=True):
        if refusal != vector["refusal"]:
            mismatches.append((vector["file"], vector["name"], refusal, vector["refusal"]))
    assert mismatches == []
    assert len(got["states"]) == len(STATES) >= 20
