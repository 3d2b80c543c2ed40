"""`helm install`, `ct install` and `helm test` on a cluster: what the cluster refused or what never became ready.

Most of these are runtime facts (an image that does not exist, a crash-looping container, a
hook job that failed, a readiness timeout) that no file edit can be trusted to fix; a few are the
chart's fault and are said in the fixers' words (an apiVersion the cluster does not serve, a
field the API server rejects).

    Error: INSTALLATION FAILED: context deadline exceeded
    Error: INSTALLATION FAILED: failed post-install: 1 error occurred: * job failed: BackoffLimitExceeded
    Warning  Failed  12s  kubelet  Failed to pull image "ghcr.io/acme/shop:9.9": … not found
    shop-7d9c6b7f4-x2x7q   0/1   CrashLoopBackOff   4 (30s ago)   2m
    Error: pod shop-test-connection failed
    Error: INSTALLATION FAILED: … no matches for kind "PodDisruptionBudget" in version "policy/v1beta1"
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.heal.ci_logs.build import ci_finding
from agents.heal.ci_logs.model import CiFinding

TOOL = "helm install"
TIMEOUT = re.compile(
    r"(?:INSTALLATION|UPGRADE) FAILED: (?:[\w -]+: )?(?:context deadline exceeded|timed out waiting for the condition)"
)
HOOK = re.compile(r"(?:INSTALLATION|UPGRADE) FAILED: failed (?P<hook>(?:pre|post)-(?:install|upgrade))")
IMAGE_PULL = re.compile(
    r"Failed to pull image \"(?P<image>[^\"]+)\"|(?P<state>ImagePullBackOff|ErrImagePull)"
)
CRASH_LOOP = re.compile(r"CrashLoopBackOff|Back-off restarting failed container")
TEST_FAILED = re.compile(r"(?:Error: |\* )pod (?P<pod>[\w.-]+) failed")
NO_MATCH = re.compile(r'no matches for kind "(?P<kind>\w+)" in version "(?P<version>[\w./-]+)"')
SERVER_INVALID = re.compile(
    r'(?P<kind>\w+)(?:\.[\w.]+)? "(?P<name>[\w.-]+)" is invalid: (?P<field>[\w.\[\]]+): (?P<reason>Required value|Invalid value: .+)'
)
INVALID_TYPE = re.compile(
    r"ValidationError\((?P<where>[\w.\[\]]+)\): invalid type for [\w.]+: got \"(?P<got>\w+)\", expected \"(?P<want>\w+)\""
)


def parse(lines: Sequence[str]) -> list[CiFinding]:
    found: list[CiFinding] = []
    seen: set[str] = set()

    def once(key: str, finding: CiFinding) -> None:
        if key not in seen:
            seen.add(key)
            found.append(finding)

    for line in lines:
        if (no_match := NO_MATCH.search(line)) is not None:
            once(
                f"api:{no_match['kind']}",
                ci_finding(
                    TOOL,
                    "api/removed",
                    f"{no_match['kind']}: apiVersion {no_match['version']} is not served by the cluster (removed)",
                    evidence=[line],
                ),
            )
        elif (typed := INVALID_TYPE.search(line)) is not None:
            key = typed["where"].split(".")[-1]
            once(
                f"type:{typed['where']}",
                ci_finding(
                    TOOL,
                    "schema/type",
                    f"{typed['where']}: {key} must be of type '{typed['want']}', got {typed['got']}",
                    evidence=[line],
                ),
            )
        elif (invalid := SERVER_INVALID.search(line)) is not None:
            once(
                f"invalid:{invalid['field']}",
                ci_finding(
                    TOOL,
                    "schema/server",
                    f"{invalid['kind']} {invalid['name']}: {invalid['field']}: {invalid['reason']}",
                    resource=f"{invalid['kind']}/{invalid['name']}",
                    evidence=[line],
                ),
            )
        elif (pull := IMAGE_PULL.search(line)) is not None:
            image = pull["image"]
            once(
                "image",
                ci_finding(
                    TOOL,
                    "runtime/image-pull",
                    f"the cluster could not pull the image{f' {image}' if image else ''} ({pull['state'] or 'pull failed'})",
                    kind="runtime",
                    evidence=[line],
                    hint="check that the image and tag exist and that the cluster may pull them (imagePullSecrets)",
                ),
            )
        elif CRASH_LOOP.search(line):
            once(
                "crash",
                ci_finding(
                    TOOL,
                    "runtime/crash-loop",
                    "a container keeps crashing after it starts (CrashLoopBackOff)",
                    kind="runtime",
                    evidence=[line],
                    hint="read the container's logs: a missing setting, secret or database usually makes the app exit",
                ),
            )
        elif (hook := HOOK.search(line)) is not None:
            once(
                "hook",
                ci_finding(
                    TOOL,
                    "runtime/hook-failed",
                    f"the {hook['hook']} hook did not complete",
                    kind="runtime",
                    evidence=[line],
                    hint="read the hook Job's pod logs in the CI run",
                ),
            )
        elif TIMEOUT.search(line):
            once(
                "timeout",
                ci_finding(
                    TOOL,
                    "runtime/timeout",
                    "the release did not become ready before helm's timeout",
                    kind="runtime",
                    evidence=[line],
                    hint="a pod never became ready: look for image pull errors, crash loops or failing probes",
                ),
            )
        elif (test := TEST_FAILED.search(line)) is not None:
            once(
                f"test:{test['pod']}",
                ci_finding(
                    "helm test",
                    "runtime/helm-test",
                    f"the test pod {test['pod']} failed",
                    kind="runtime",
                    evidence=[line],
                    hint="the test could not reach the release: check the Service port and selector",
                ),
            )
    return found
