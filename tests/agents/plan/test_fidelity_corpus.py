"""The request-fidelity corpus: no fact of any request is dropped silently (bench/fidelity.py).

The corpus test plans, generates and renders every request (~30 s, one test on purpose); the
classification itself is checked on small hand-made objects first.
"""

from __future__ import annotations

from collections import Counter

from agents.plan.facts import NotDone
from bench.fidelity import MISSING, ExpectedFact, classify, load_corpus, read_path, run_corpus

DEPLOYMENT = {
    "kind": "Deployment",
    "metadata": {"name": "release-name-api"},
    "spec": {
        "replicas": 3,
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "api",
                        "ports": [{"name": "http", "containerPort": 8080}],
                        "resources": {"limits": {"nvidia.com/gpu": 1}},
                    }
                ]
            }
        },
    },
}


def test_paths_read_indexes_selectors_and_dotted_keys() -> None:
    container = "spec.template.spec.containers[0]"
    assert read_path(DEPLOYMENT, f"{container}.ports[name=http].containerPort") == 8080
    assert read_path(DEPLOYMENT, f'{container}.resources.limits["nvidia.com/gpu"]') == 1
    assert read_path(DEPLOYMENT, f"{container}.ports[name=grpc]") is MISSING
    assert read_path(DEPLOYMENT, "spec.template.spec.initContainers[0]") is MISSING


def test_each_fact_is_honoured_asked_reported_or_dropped() -> None:
    objects = [DEPLOYMENT]
    replicas = ExpectedFact(words="3 replicas", kind="Workload", path="spec.replicas", value=3)
    gpu = ExpectedFact(
        words="one GPU", kind="Workload", path='container.resources.limits["nvidia.com/gpu"]', value=1
    )
    keda = ExpectedFact(words="KEDA scaling on queue length", kind="ScaledObject")
    image = ExpectedFact(words="wordpress", kind="Workload", path="container.image", ask="image")
    no_service = ExpectedFact(words="no service", kind="Service", absent=True)
    notes = [NotDone(words="KEDA scaling on the queue length", reason="not understood")]
    assert classify(replicas, objects, set(), []) == "honoured"
    assert classify(gpu, objects, set(), []) == "honoured"
    assert classify(no_service, objects, set(), []) == "honoured"
    assert classify(keda, objects, set(), notes) == "reported"
    assert classify(keda, objects, set(), [NotDone(words="KEDA", reason="not understood")]) == "dropped"
    assert classify(image, objects, {"image"}, []) == "asked"
    assert classify(image, objects, set(), []) == "dropped"


def test_the_corpus_has_no_silently_dropped_fact() -> None:
    cases = load_corpus()
    assert len(cases) >= 150
    assert len({c.capability for c in cases}) >= 20
    results, _, _ = run_corpus(cases, validate=False)
    verdicts = Counter(r.verdict for r in results)
    dropped = [f"{r.request_id}: {r.words}" for r in results if r.verdict == "dropped"]
    assert dropped == [], dropped
    assert verdicts["honoured"] > 0 and verdicts["reported"] > 0
