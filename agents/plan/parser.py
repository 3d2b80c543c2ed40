"""Free text → `RequestFacts`: the rule-based reader behind `/autopilot chart …` with no LLM.

Each fact has one small extractor. Extractors run in a fixed order over a working copy of the
text and blank out what they consumed, so `secret shop-db` is never also read as the chart name
and `on every node` never picks the Node.js runtime.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agents.plan.catalog import catalog_aliases, find_entry
from agents.plan.facts import (
    ACCOUNTING_FIELDS,
    ComponentFact,
    DatabaseSecret,
    DependencyFact,
    FactOrigin,
    NotDone,
    RequestFacts,
    SecretEnv,
)
from agents.plan.model import (
    HOSTNAME,
    EgressRule,
    ExternalSecretKey,
    ImageSpec,
    InitContainerPlan,
    KedaTrigger,
    RbacRule,
    Toleration,
)

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "twenty": 20,
}  # fmt: skip
NUMBER = r"(\d+|" + "|".join(WORD_NUMBERS) + r")"
DAYS = {"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6}
CRON_NAMES = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr", "may", "jun", "jul",
              "aug", "sep", "oct", "nov", "dec"}  # fmt: skip
FILE_SUFFIXES = {"py", "js", "ts", "rb", "go", "yaml", "yml", "json", "conf", "txt", "sh", "toml", "ini", "xml",
                 "html", "php", "jar", "cfg", "env", "md", "sql", "tpl", "lock"}  # fmt: skip
RESOURCE_GROUPS = {
    "configmaps": "", "secrets": "", "pods": "", "services": "", "endpoints": "", "nodes": "",
    "namespaces": "", "events": "", "persistentvolumeclaims": "", "serviceaccounts": "",
    "deployments": "apps", "statefulsets": "apps", "daemonsets": "apps", "replicasets": "apps",
    "jobs": "batch", "cronjobs": "batch", "ingresses": "networking.k8s.io",
    "leases": "coordination.k8s.io", "endpointslices": "discovery.k8s.io",
}  # fmt: skip
READ_VERBS = ["get", "list", "watch"]
WRITE_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]
SECRET_NAME = r"([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?![\w.=:/@-])"  # a whole name, never part of one
NOT_NAMES = {
    "and",
    "with",
    "key",
    "as",
    "for",
    "the",
    "a",
    "an",
    "to",
    "on",
    "in",
    "via",
    "port",
    "named",
    "called",
}
QTY = r"(\d+(?:\.\d+)?\s?(?:mi|gi|ki|ti|mb|gb|kb|tb|m|g|k|t|cores?|cpus?|millicores?)?)\b"


def _number(word: str) -> int:
    return int(word) if word.isdigit() else WORD_NUMBERS[word]


@dataclass(frozen=True)
class ConsumedSpan:
    """A stretch of the request an extractor read (offsets into `_Text.original`)."""

    start: int
    end: int
    extractor: str


class _Text:
    """The request being read: `lower` for matching, `raw` for case-sensitive values.

    `take` blanks what it matched and records the span under the running extractor's name, so
    what no extractor took is known at the end (`leftover_words`).
    """

    def __init__(self, text: str) -> None:
        self.raw = " " + " ".join(text.replace("\u00a0", " ").split()) + " "
        self.lower = self.raw.lower()
        self.original = self.raw
        self.spans: list[ConsumedSpan] = []
        self.extractor = ""

    def take(self, pattern: str, flags: int = 0, raw: bool = False) -> list[re.Match[str]]:
        """All matches of `pattern`, removed from the text so later extractors skip them."""
        source = self.raw if raw else self.lower
        found = list(re.finditer(pattern, source, flags))
        for m in reversed(found):
            self._blank(m.start(), m.end())
        return found

    def take_span(self, start: int, end: int) -> None:
        """Consume one known stretch (e.g. a match found with `find`)."""
        self._blank(start, end)

    def find(self, pattern: str, flags: int = 0, raw: bool = False) -> re.Match[str] | None:
        return re.search(pattern, self.raw if raw else self.lower, flags)

    def words(self, span: ConsumedSpan) -> str:
        return self.original[span.start : span.end].strip()

    def _blank(self, start: int, end: int) -> None:
        if end > start and self.lower[start:end].strip():
            self.spans.append(ConsumedSpan(start, end, self.extractor))
        pad = " " * (end - start)
        self.raw = self.raw[:start] + pad + self.raw[end:]
        self.lower = self.lower[:start] + pad + self.lower[end:]


def _memory(value: str) -> str:
    v = value.replace(" ", "").lower()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(mi|gi|ki|ti|mb|gb|kb|tb|m|g|k|t)?", v)
    if not m:
        return value
    number, unit = m.groups()
    units = {"mi": "Mi", "mb": "Mi", "m": "Mi", "gi": "Gi", "gb": "Gi", "g": "Gi", "ki": "Ki", "kb": "Ki",
             "k": "Ki", "ti": "Ti", "tb": "Ti", "t": "Ti"}  # fmt: skip
    return number + (units[unit] if unit else "")


def _cpu(value: str) -> str:
    v = value.replace(" ", "").lower()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(m|millicores?|cores?|cpus?)?", v)
    if not m:
        return value
    number, unit = m.groups()
    return number + ("m" if unit and unit.startswith("m") else "")


def _extract_quoted_commands(t: _Text, facts: RequestFacts) -> None:
    for m in t.take(r"\b(?:migrations?|migrate)\s+(?:with|using|via|by running|:)\s*[`\"']([^`\"']+)[`\"']", raw=True,
                    flags=re.I):  # fmt: skip
        facts.migration, facts.migration_command = True, shlex.split(m.group(1))
    for m in t.take(r"\b(?:migrations?|migrate)\s+(?:with|using|via|by running|:)\s*([^,;`\"']+?)\s*(?=[,;]|$| and )",
                    raw=True, flags=re.I):  # fmt: skip
        facts.migration, facts.migration_command = True, shlex.split(m.group(1))
    if t.take(r"\b(?:run|runs|with|and)\s+(?:database\s+|db\s+)?migrations?\b"):
        facts.migration = True
    for m in t.take(r"\b(?:runs?|running|command|executes?|executing)\s*:?\s*[`\"']([^`\"']+)[`\"']", raw=True,
                    flags=re.I):  # fmt: skip
        facts.command = shlex.split(m.group(1))


def _extract_schedule(t: _Text, facts: RequestFacts) -> None:
    cron_field = r"[\d*/,\-a-z?]+"
    m = t.find(rf"[`\"']({cron_field}(?:\s+{cron_field}){{4}})[`\"']")
    if m is None:
        m = t.find(rf"\b(?:cron|schedule)\b\s*:?\s*({cron_field}(?:\s+{cron_field}){{4}})(?=\s|$)")
    if m is not None and all(re.search(r"[\d*?]", f) or f in CRON_NAMES for f in m.group(1).split()):
        facts.schedule = m.group(1)
        t.take(re.escape(m.group(0)))
        return
    if m := t.find(r"@(hourly|daily|weekly|monthly|yearly|annually|midnight)\b"):
        facts.schedule = "@" + m.group(1)
        t.take(re.escape(m.group(0)))
        return
    if m := t.find(r"\bevery\s+(\d+)\s+(minute|min|hour|day)s?\b"):
        n, unit = int(m.group(1)), m.group(2)
        facts.schedule = {"minute": f"*/{n} * * * *", "min": f"*/{n} * * * *", "hour": f"0 */{n} * * *",
                          "day": f"0 0 */{n} * *"}[unit]  # fmt: skip
        t.take(re.escape(m.group(0)))
        return
    if t.take(r"\bevery\s+minute\b"):
        facts.schedule = "* * * * *"
        return
    if t.take(r"\b(?:every\s+hour|hourly)\b"):
        facts.schedule = "0 * * * *"
        return
    at = t.find(r"\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b(?!\s*(?:replicas|gi|mi))")
    hour = minute = None
    if at and (at.group(2) or at.group(3)):
        hour, minute = int(at.group(1)) % 12 + (12 if at.group(3) == "pm" else 0), int(at.group(2) or 0)
        if at.group(3) is None:
            hour = int(at.group(1))
    day = t.find(r"\bevery\s+(sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b")
    period = t.find(
        r"\b(nightly|daily|every\s+day|every\s+night|each\s+night|weekly|every\s+week|monthly|every\s+month)\b"
    )
    cron_said = t.find(r"\bcron\s*job|\bcronjob\b|\bscheduled\b|\bcron\b") is not None
    if not (day or period or (at and hour is not None and cron_said)):
        return
    h, mi = (hour, minute) if hour is not None and minute is not None else (0, 0)
    if day:
        facts.schedule = f"{mi} {h} * * {DAYS[day.group(1)]}"
    elif period and period.group(1) in {"weekly", "every week"}:
        facts.schedule = f"{mi} {h} * * 0"
    elif period and period.group(1) in {"monthly", "every month"}:
        facts.schedule = f"{mi} {h} 1 * *"
    else:
        facts.schedule = f"{mi} {h} * * *"
    for m in (day, period, at):
        if m is not None:
            t.take(re.escape(m.group(0)))
    if tz := t.find(r"\b(?:time\s*zone|tz)\s+([A-Za-z]+(?:/[A-Za-z_]+)?)", raw=True, flags=re.I):
        facts.time_zone = tz.group(1)
        t.take(re.escape(tz.group(0)), raw=True)


def _extract_workload(t: _Text, facts: RequestFacts) -> None:
    if t.take(r"\b(?:cron\s*job|cronjob|scheduled\s+job|(?<!keda\s)cron)\b") or facts.schedule:
        facts.workload = "CronJob"
    elif t.take(
        r"\b(?:daemon\s*set|on\s+(?:every|each|all)\s+(?:(?:the|worker|linux)\s+)?nodes?|per\s+node|one\s+per\s+node|node\s+agents?)\b"
    ):
        facts.workload = "DaemonSet"
    elif t.take(r"\bstateful\s*set\b"):
        facts.workload = "StatefulSet"
    elif t.take(r"\b(?:one[- ]off|run[- ]once|batch\s+job|a\s+job|job)\b"):
        facts.workload = "Job"
    elif t.take(r"\bdeployment\b"):
        facts.workload = "Deployment"


def _extract_secrets(t: _Text, facts: RequestFacts) -> None:
    env_name = r"([A-Za-z_][A-Za-z0-9_]*)"
    for m in t.take(rf"\bsecret\s+{SECRET_NAME}\s+key\s+([\w.-]+)\s+as\s+{env_name}", raw=True, flags=re.I):
        facts.secret_envs.append(SecretEnv(secret=m.group(1).lower(), key=m.group(2), env=m.group(3)))
    from_secret = (
        rf"\b{env_name}\s+from\s+(?:the\s+)?(?:existing\s+)?secret\s+{SECRET_NAME}(?:\s+key\s+([\w.-]+))?"
    )
    for m in list(re.finditer(from_secret, t.raw, flags=re.I)):
        if not m.group(1).isupper():
            continue  # `auth from secret x`, `secret from secret store`: not an env var name
        facts.secret_envs.append(
            SecretEnv(env=m.group(1), secret=m.group(2).lower(), key=m.group(3) or m.group(1))
        )
        t.take_span(m.start(), m.end())
    services = r"(postgres(?:ql)?|pg|mysql|mariadb|mongo(?:db)?|redis|valkey|rabbitmq|amqp|kafka|database|db)"
    for m in t.take(rf"\b{services}\s+(?:credentials\s+|url\s+)?(?:via|from|using|with|in|through)\s+(?:an?\s+|the\s+)?"
                    rf"(?:existing\s+)?secret(?:\s+(?:named\s+|called\s+)?[`\"']?{SECRET_NAME}[`\"']?)?"):  # fmt: skip
        name = m.group(2) if m.group(2) and m.group(2) not in NOT_NAMES else None
        facts.databases.append(DatabaseSecret(service=m.group(1), secret=name))
    for m in t.take(
        rf"\b(?:with|using|from)\s+(?:an?\s+|the\s+)?existing\s+secret\s+(?:named\s+|called\s+)?{SECRET_NAME}"
    ):
        if m.group(1) not in NOT_NAMES:
            facts.secrets.append(m.group(1))


def _extract_image(t: _Text, facts: RequestFacts) -> None:
    for m in re.finditer(r"(?<![\w./@:-])([a-zA-Z0-9][\w.\-/:@]*[\w])(?=[\s,;)?!]|$|\.\s)", t.raw):
        token = m.group(1)
        prefix = t.lower[max(0, m.start() - 12) : m.start()]
        if "=" in token or token.startswith(("http", "/")) or token.count("@") > 1:
            continue
        has_path = "/" in token
        has_tag = re.search(r":[\w][\w.-]*$", token.split("@")[0]) is not None or "@sha256:" in token
        head = token.split("/")[0]
        registry_like = has_path and ("." in head or ":" in head or head == "localhost")
        if not (has_path and (has_tag or registry_like)) and not (
            has_tag and re.search(r"\b(image|on|from|using|use|run)\s*$", prefix)
        ):
            continue
        if not re.search(r"[a-z]", token.split(":")[0].lower()):
            continue
        if not _is_image_reference(token, has_tag):
            continue
        facts.image = token
        t.take(re.escape(token), raw=True)
        return


def _is_image_reference(token: str, has_tag: bool) -> bool:
    """True when `token` parses as an image; an untagged one is accepted (the tag is asked for)."""
    try:
        ImageSpec.parse(token if has_tag else token + ":0")
    except ValueError:
        return False
    return True


def _extract_exposure(t: _Text, facts: RequestFacts) -> None:
    if m := t.find(
        r"\b(?:cert[- ]manager\s+)?(?:cluster[- ]?)?issuer\s+[`\"']?([a-z0-9][a-z0-9.-]*[a-z0-9])(?![\w.=:/@-])"
    ):
        facts.cert_manager_issuer, facts.tls = m.group(1), True
        t.take(re.escape(m.group(0)))
    if m := t.find(r"(?<!resolver\s)\b(letsencrypt(?:-[a-z0-9-]+)?)\b"):
        facts.cert_manager_issuer = facts.cert_manager_issuer or m.group(1)
        facts.tls = True
        t.take(re.escape(m.group(0)))
    if m := t.find(r"\btls\s+secret\s+([a-z0-9][a-z0-9.-]*[a-z0-9])(?![\w.=:/@-])"):
        facts.tls_secret, facts.tls = m.group(1), True
        t.take(re.escape(m.group(0)))
    if t.take(r"\b(?:tls|(?<!to\s)https|cert[- ]manager|certificate)\b"):
        facts.tls = True
    gw_ns = r"(?:\s+in\s+(?:the\s+)?(?:namespace\s+([a-z0-9-]+)|([a-z0-9-]+)\s+namespace))?"
    if m := t.find(
        rf"\bgateway\s+(?:named\s+|called\s+)?[`\"']?(?!api\b|class\b)([a-z0-9][a-z0-9-]*[a-z0-9])(?![\w.=:/@-]){gw_ns}"
    ):
        facts.gateway_name = m.group(1)
        facts.gateway_namespace = m.group(2) or m.group(3)
        t.take(re.escape(m.group(0)))
    grpc = bool(t.find(r"\bgrpc\b"))
    facts.grpc = grpc
    no_exposure = t.take(
        r"\b(?:no\s+ingress|not\s+exposed|internal\s+only|internal[- ]only|cluster[- ]internal)\b"
    )
    if t.take(r"\bgrpc\s*route\b"):
        facts.exposure = "grpcroute"
    elif t.take(r"\bhttp\s*route\b") or t.take(r"\bgateway[- ]api\b") or facts.gateway_name:
        facts.exposure = "grpcroute" if grpc else "httproute"
    elif t.take(r"\bingress\s*route\b"):
        facts.exposure = "ingressroute"
    if m := t.find(
        r"\b(?<!storage\s)(?<!priority\s)(?:ingress\s*class|class)\s+(?:name\s+)?[`\"']?([a-z0-9][a-z0-9.-]*[a-z0-9])(?![\w.=:/@-])"
    ):
        facts.ingress_class = m.group(1)
        facts.exposure = facts.exposure or "ingress"
        t.take(re.escape(m.group(0)))
    elif m := t.find(r"\b(nginx|traefik|haproxy|contour|alb|gce|kong|istio)[- ]ingress(?:[- ]class)?\b"):
        if m.group(1) == "traefik" and facts.exposure is None:
            facts.exposure = "ingressroute"
        else:
            facts.ingress_class, facts.exposure = m.group(1), facts.exposure or "ingress"
        t.take(re.escape(m.group(0)))
    if facts.exposure in (None, "ingressroute") and t.take(r"\btraefik\b"):
        facts.exposure = "ingressroute"
    # `allow ingress from namespace x` is a network policy rule, not an Ingress
    if (
        t.take(r"(?<!allow\s)(?<!deny\s)\bingress(?:-nginx)?\b(?!\s+(?:from|traffic|rules?)\b)")
        and facts.exposure is None
    ):
        facts.exposure = "ingress"
    if m := t.find(r"\bpath\s+(/[\w./-]*)"):
        facts.path = m.group(1)
        t.take(re.escape(m.group(0)))
    aliases = catalog_aliases()
    for m in re.finditer(r"(?<![\w@/.-])((?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?=[\s,;)]|$|\.\s)", t.lower):
        host = m.group(1)
        last = host.rsplit(".", 1)[-1]
        if host in aliases or last in FILE_SUFFIXES or not re.fullmatch(r"[a-z]{2,24}", last):
            continue
        if HOSTNAME.match(host) and host not in facts.hosts:
            facts.hosts.append(host)
    for host in facts.hosts:
        t.take(rf"(?<![\w.-]){re.escape(host)}(?![\w-])")
    if grpc:  # `grpc port 9000` is a named port, left for the service options extractor
        t.take(r"\bgrpc\b(?!\s+port\s+(?:on\s+)?\d)")
    if no_exposure:
        facts.exposure = "none"
    elif facts.hosts and facts.exposure is None:
        facts.exposure = "ingress"


def _extract_env(t: _Text, facts: RequestFacts) -> None:
    value = r"(\"[^\"]*\"|'[^']*'|[^\s,;]+)"
    for m in list(re.finditer(rf"(?<![\w.-])([A-Za-z_][A-Za-z0-9_]*)={value}", t.raw)):
        name, val = m.group(1), m.group(2).strip("\"'")
        if not name.isupper() and name.lower() in {"replicas", "port", "name"}:
            continue  # `replicas=3` is a fact for another extractor, not an env var
        if _meant_for_a_config_map(t, m.start(), m.end()):
            continue
        if name.isupper() or t.lower[max(0, m.start() - 25) : m.start()].rstrip().endswith(
            ("env", "envs", "variable", "variables", ",", "and")
        ):
            facts.env[name] = val
            t.take_span(m.start(), m.end())


CONFIG_MAP_WORDS = r"\bconf\w*\s*-?\s*ma?p\w*\b|\bconfig\b"


def _meant_for_a_config_map(t: _Text, start: int, end: int) -> bool:
    """`config LOG_FORMAT=json in a configmap`: a ConfigMap entry, not an env var."""
    before = t.original[max(0, start - 40) : start].lower()
    after = t.original[end : end + 30].lower()
    return bool(
        re.search(CONFIG_MAP_WORDS, before)
        or re.search(rf"^\s*in\s+(?:an?|the)\s+(?:{CONFIG_MAP_WORDS})", after)
    )


def _extract_scheduling(t: _Text, facts: RequestFacts) -> None:
    for m in t.take(r"\bnode[- ]?selector\s+([\w./-]+)\s*[=:]\s*([\w.-]+)", raw=True, flags=re.I):
        facts.node_selector[m.group(1)] = m.group(2)
    if arch := t.find(r"\bon\s+(arm64|amd64)\s+nodes?\b"):
        facts.node_selector["kubernetes.io/arch"] = arch.group(1)
        t.take(re.escape(arch.group(0)))
    effects = "NoSchedule|PreferNoSchedule|NoExecute"
    for m in t.take(
        rf"\btolerat\w*\s+(?:the\s+)?(?:taint\s+)?([\w./-]+)(?:=([\w.-]+))?(?::({effects}))?",
        raw=True,
        flags=re.I,
    ):
        key, val, effect = m.group(1), m.group(2), m.group(3)
        facts.tolerations.append(
            Toleration(key=key, operator="Equal" if val else "Exists", value=val, effect=effect)  # type: ignore[arg-type]
        )


def _extract_rbac(t: _Text, facts: RequestFacts) -> None:
    m = t.find(
        r"\b(read[- ]only|read[- ]write|read|write|full|list|get|watch|edit)\s+(?:access|permissions?)\s+(?:to|on|for)\s+([a-z ,/]+)"
    )
    if not m:
        return
    words = re.findall(r"[a-z]+", m.group(2))
    resources = []
    for word in words:
        plural = word if word.endswith("s") else word + "s"
        if plural in RESOURCE_GROUPS:
            resources.append(plural)
        elif word not in {"and", "or", "the", "all", "in"}:
            break
    if not resources:
        return
    verbs = WRITE_VERBS if m.group(1) in {"read-write", "read write", "write", "full", "edit"} else READ_VERBS
    by_group: dict[str, list[str]] = {}
    for res in resources:
        by_group.setdefault(RESOURCE_GROUPS[res], []).append(res)
    facts.rbac_rules = [RbacRule(api_groups=[g], resources=r, verbs=list(verbs)) for g, r in by_group.items()]
    if t.take(r"\b(?:cluster[- ]wide|across\s+(?:the\s+|all\s+)?(?:cluster|namespaces)|cluster\s*role)\b"):
        facts.rbac_cluster_wide = True
    t.take(re.escape(m.group(0)))


def _extract_pdb_bound(t: _Text, facts: RequestFacts) -> None:
    """`minAvailable 2`, `keep at least 3 pods available`: read before `3 pods` becomes a replica count."""
    if m := t.find(
        rf"\bmin[- ]?available\s*(?:=|:|of)?\s*{NUMBER}\b"
        rf"|\b(?:keep\s+)?at\s+least\s+{NUMBER}\s+(?:pods?|replicas?)\s+(?:available|up|running)(?:\s+during\s+disruptions?)?"
    ):
        facts.pdb, facts.pdb_min_available = True, _number(m.group(1) or m.group(2))
        t.take(re.escape(m.group(0)))


def _extract_scaling(t: _Text, facts: RequestFacts) -> None:
    if m := t.find(rf"\b(?:between|from)\s+{NUMBER}\s+(?:and|to)\s+{NUMBER}\s+(?:replicas|pods|instances)\b"):
        facts.autoscale, facts.autoscale_min, facts.autoscale_max = (
            True,
            _number(m.group(1)),
            _number(m.group(2)),
        )
        t.take(re.escape(m.group(0)))
    if m := t.find(
        rf"\b(?:auto-?scal\w*|hpa)\s+(?:from\s+{NUMBER}\s+)?(?:up\s+)?(?:to|max(?:imum)?|up\s+to)\s+{NUMBER}\b"
    ):  # a whole number: `hpa to 512Mi` is no replica count
        facts.autoscale = True
        if m.group(1):
            facts.autoscale_min = _number(m.group(1))
        facts.autoscale_max = _number(m.group(2))
        t.take(re.escape(m.group(0)))
    if t.take(r"\b(?:no|without|disable)\s+(?:auto-?scal\w*|hpa)\b"):
        facts.autoscale_off = True
    elif t.take(r"(?<!vertical\spod\s)\b(?:auto-?scal\w*|hpa)\b"):
        facts.autoscale = True
    if m := t.find(rf"\b{NUMBER}\s+(?:replicas?|replics|pods|instances|copies)\b") or t.find(
        rf"\breplicas?\s*(?:=|:|of)?\s*{NUMBER}\b"
    ):
        facts.replicas = _number(m.group(1))
        t.take(re.escape(m.group(0)))
    if t.take(r"\b(?:no|without|disable)\s+(?:pdb|pod\s+disruption\s+budget|disruption\s+budget)\b"):
        facts.pdb = False
    elif t.take(r"\b(?:pdb|pod\s+disruption\s+budget|disruption\s+budget)\b"):
        facts.pdb = True


def _extract_resources(t: _Text, facts: RequestFacts) -> None:
    def record(kind: str, which: str | None, qty: str) -> None:
        memory = kind in {"memory", "mem", "ram"}
        value = _memory(qty) if memory else _cpu(qty)
        field = f"{'memory' if memory else 'cpu'}_{which or 'request'}"
        setattr(facts, field, value)

    kinds = r"(cpu|memory|mem|ram)"
    for m in t.take(rf"\b{kinds}\s+(request|limit)s?\s*(?:of|=|:|to|at)?\s*{QTY}"):
        record(m.group(1), m.group(2), m.group(3))
    for m in t.take(
        rf"\b(?:(request|limit)s?\s+(?:of\s+)?)?{QTY}\s*(?:of\s+)?{kinds}(?:\s+(request|limit)s?)?\b"
    ):
        record(m.group(3), m.group(1) or m.group(4), m.group(2))
    for m in t.take(rf"\b(request|limit)s?\s+(?:of\s+)?{kinds}\s*(?:of|=|:|to|at)?\s*{QTY}"):
        record(m.group(2), m.group(1), m.group(3))


def _extract_persistence(t: _Text, facts: RequestFacts) -> None:
    if t.take(
        r"\b(?:no|without|disable)\s+(?:persistence|persistent\s+storage|storage|volume)\b|\bephemeral\b"
    ):
        facts.persistence = False
        return
    size = r"(\d+(?:\.\d+)?\s?(?:gi|gb|mi|mb|ti|tb|g|t))\b"  # `8080 grace` is no size
    nouns = r"(?<![\w/-])(?:persistent\s+)?(?:storage|volume|disk|pvc|persistence|data)"
    where = r"(?:\s+(?:at|on|mounted\s+at|in|under)\s+(/[\w./-]*))?"
    if (m := t.find(rf"\b{size}\s+(?:of\s+)?{nouns}{where}")) or (
        m := t.find(rf"\b{nouns}\s+(?:of\s+)?{size}{where}")
    ):
        facts.persistence, facts.persistence_size, facts.persistence_path = (
            True,
            _memory(m.group(1)),
            m.group(2),
        )
        t.take(re.escape(m.group(0)))
    if m := t.find(
        r"(?<![\w-])(?:persist\w*|storage|volume|data)\s+(?:\w+\s+)?(?:at|on|mounted\s+at|in|under)\s+(/[\w./-]*)"
    ):
        facts.persistence, facts.persistence_path = True, facts.persistence_path or m.group(1)
        t.take(re.escape(m.group(0)))
    if m := t.find(r"\bstorage\s*class\s+([a-z0-9][a-z0-9.-]*)(?![\w.=:/@-])"):
        facts.storage_class = m.group(1)
        t.take(re.escape(m.group(0)))
    if t.take(r"\b(?:persistent|persistence|persist)\b"):
        facts.persistence = True


def _extract_metrics(t: _Text, facts: RequestFacts) -> None:
    if t.take(r"\b(?:no|without|disable)\s+(?:prometheus\s+)?metrics\b"):
        facts.metrics = False
        return
    if m := t.find(r"\bmetrics\s+(?:on\s+|at\s+)?(?:port\s+)?(\d{2,5})\b"):
        facts.metrics, facts.metrics_port = True, int(m.group(1))
        t.take(re.escape(m.group(0)))
    if t.take(r"\bservice\s*monitor\b|\bprometheus[- ]operator\b"):
        facts.metrics, facts.service_monitor = True, True
    if t.take(r"\b(?:prometheus\s+)?(?:metrics|scrap\w+)\b"):
        facts.metrics = True


def _extract_network_policy(t: _Text, facts: RequestFacts) -> None:
    if t.take(r"\b(?:no|without|disable|skip)\s+(?:the\s+|a\s+)?network\s*polic\w*\b"):
        facts.network_policy = False
    elif t.take(r"\bnetwork\s*polic\w*\b"):
        facts.network_policy = True
    if t.take(r"\b(?:restrict(?:ed)?|lock(?:ed)?\s+down|deny)\s+egress\b"):
        facts.egress_restricted, facts.network_policy = True, True


def _extract_ports(t: _Text, facts: RequestFacts) -> None:
    for m in t.take(
        r"\b(?:ports?|listens?\s+on|listening\s+on|serves?\s+on|exposes?)\s*(?:=|:|port)?\s*(\d{2,5}(?:\s*(?:,|and|&|/)\s*(?:port\s+)?\d{2,5})*)\b"
    ):
        for number in re.findall(r"\d+", m.group(1)):
            if 1 <= int(number) <= 65535 and int(number) not in facts.ports:
                facts.ports.append(int(number))
    for m in t.take(r"\bon\s+(\d{4,5})\b"):
        if 1 <= int(m.group(1)) <= 65535 and int(m.group(1)) not in facts.ports:
            facts.ports.append(int(m.group(1)))


def _extract_name(t: _Text, facts: RequestFacts) -> None:
    for m in re.finditer(
        r"\b(?:named|called|name\s+it|chart\s+name)\s+[`\"']?([a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])(?![\w.=:/@-])",
        t.lower,
    ):
        before = t.lower[max(0, m.start() - 12) : m.start()]
        if m.group(1) not in NOT_NAMES and not re.search(
            r"(gateway|secret|issuer|class|account)\s+$", before
        ):
            facts.name = m.group(1)
            t.take(re.escape(m.group(0)))
            return


CONNECTORS = (
    r"(?:consum(?:es|ing|e)\s+(?:messages\s+|jobs\s+|events\s+)?from|reads?\s+from|reading\s+from|writes?\s+to"
    r"|publish(?:es)?\s+to|talks?\s+to|talking\s+to|connects?\s+to|connecting\s+to|uses|using|needs|requires"
    r"|depends\s+on|backed\s+by|stores?\s+(?:data\s+)?in|with|and|plus|alongside|along\s+with|\+)"
)
DEPENDENCY_NOUNS = (
    r"(?:\s+(?:database|db|cache|queue|broker|cluster|instance|server|store|backend|bucket|connection)s?)?"
)
EXISTING = (
    r"(?:(?:an?|the|our|its|their)\s+)?(?:(existing|external|managed|shared|remote|already[- ]running)\s+)?"
)
NOT_A_DEPENDENCY = (
    r"(?!\s+(?:metrics|operator|scrap\w*|annotations?|service\s*monitor|rules?|alerts?|exporter"
    r"|agents?|sidecars?|injector))"
)
SECRET_TAIL = (
    rf"(?:\s+(?:via|from|using|with|in|through)\s+(?:an?\s+|the\s+)?(?:existing\s+)?secret"
    rf"(?:\s+(?:named\s+|called\s+)?[`\"']?{SECRET_NAME}[`\"']?)?)?"
)
EXISTING_TAIL = r"(\s+(?:that\s+|which\s+)?(?:already\s+exists|already\s+running|outside\s+the\s+cluster|we\s+already\s+run))?"


def _alias_pattern() -> str:
    aliases = sorted((a for a, e in catalog_aliases().items() if e.kind == "app"), key=len, reverse=True)
    return "(" + "|".join(re.escape(a) for a in aliases) + ")"


def _has_subject_before(t: _Text, position: int) -> bool:
    """A connection needs something to connect from: some word of the request before it."""
    before = re.findall(r"[a-z0-9][\w.:/@-]*", t.original[:position].lower())
    return any(word not in FILLER_WORDS for word in before)


def _extract_dependencies(t: _Text, facts: RequestFacts) -> None:
    """`needs a postgres database`, `consumes from rabbitmq`: what the workload talks to is not its app."""
    alias = _alias_pattern()
    item = (
        rf"{EXISTING}{alias}(?![\w/-]|\.\w){NOT_A_DEPENDENCY}{DEPENDENCY_NOUNS}{SECRET_TAIL}{EXISTING_TAIL}"
    )
    first = re.compile(rf"\b{CONNECTORS}\s+{item}")
    chained = re.compile(rf"\s*(?:,|\band\b|&|\bplus\b|\bor\b)\s*{item}")
    position = 0
    while m := first.search(t.lower, position):
        position = m.end()
        if not _has_subject_before(t, m.start()):
            continue
        _record_dependency(t, facts, m)
        while c := chained.match(t.lower, position):
            _record_dependency(t, facts, c)
            position = c.end()
    # `a rabbitmq consumer`, `a kafka worker`: the broker is what the worker consumes from
    consumer = rf"(?<![\w./-]){alias}(?=\s+(?:consumer|worker|client|subscriber|listener)s?\b)"
    for m in list(re.finditer(consumer, t.lower)):
        if (entry := find_entry(m.group(1))) is not None:
            words = t.original[m.start() : m.end()].strip()
            facts.dependencies.append(DependencyFact(app=entry.name, words=words))
            t.take_span(m.start(), m.end())


def _record_dependency(t: _Text, facts: RequestFacts, m: re.Match[str]) -> None:
    existing_word, name, secret, existing_tail = m.group(1), m.group(2), m.group(3), m.group(4)
    entry = find_entry(name)
    if entry is None:
        return
    secret = secret if secret and secret not in NOT_NAMES else None
    secret_said = "secret" in m.group(0)
    existing = bool(existing_word or existing_tail or secret_said)
    words = t.original[m.start() : m.end()].strip(" ,;&+")
    # the one record of it: the dependency planner wires an existing one through its Secret
    facts.dependencies.append(DependencyFact(app=entry.name, existing=existing, secret=secret, words=words))
    t.take_span(m.start(), m.end())


def _extract_role(t: _Text, facts: RequestFacts) -> None:
    """`worker`, `consumer`, `background process`, `no service`: a workload that serves no traffic."""
    if t.take(
        r"\b(?:no|without(?:\s+an?)?|disable[sd]?|skip(?:\s+the)?)\s+(?:k8s\s+|kubernetes\s+)?services?\b(?!\s*(?:monitor|account))"
    ):
        facts.service = False
    if t.take(
        r"\b(?:background|queue|job|task|message|event)\s+(?:worker|consumer|processor|process)s?\b"
        r"|\b(?:worker|consumer)s?\b(?!\s+nodes?\b)(?:\s+process(?:es)?\b)?"
        r"|\bbackground\s+(?:job|task)s?\b|\bruns?\s+in\s+the\s+background\b"
    ):
        facts.worker = True


def _extract_app(t: _Text, facts: RequestFacts) -> None:
    text = re.sub(
        r"\b(?:every|each|all|per|worker|gpu|arm64|amd64|linux|windows)\s+nodes?\b|\bnodes\b|\bnode\s+agents?\b",
        " ",
        t.lower,
    )
    text = re.sub(r"\bprometheus\s+(?:metrics|operator|scrap\w*|annotations?)\b", " ", text)
    # `pull its secrets from Vault`: where the secrets come from is a source, not the subject
    text = re.sub(r"\b(?:secrets?|credentials?|passwords?|tokens?|keys?|config)\s+from\s+[\w.-]+", " ", text)
    best: tuple[int, int, str, str] | None = None
    image_at = _image_position(t, facts)
    for alias, entry in catalog_aliases().items():
        if alias not in text:
            continue  # the word test needs the alias itself; compiling ~200 patterns cost a cold run 0.1 s
        m = re.search(rf"(?<![\w./-]){re.escape(alias)}(?![\w/-]|\.\w)", text)
        if m and entry.kind == "app" and image_at is not None and m.start() > image_at:
            continue  # `ghcr.io/acme/c:3 … on kafka lag`: the image is the subject
        if m and (best is None or (m.start(), -len(alias)) < (best[0], best[1])):
            best = (m.start(), -len(alias), entry.name, alias)
    if best is not None:
        facts.app = best[2]
        t.take_span(best[0], best[0] - best[1])


WORKER_KINDS = {"celery": ["celery", "worker"], "sidekiq": ["bundle", "exec", "sidekiq"], "rq": ["rq", "worker"],
                "dramatiq": [], "resque": [], "background": [], "queue": []}  # fmt: skip
COMPONENT_ROLES = r"(worker|beat|scheduler|consumer)"


# An unquoted command is read only when it starts with a program that runs workers, so
# `a worker running in the background` never becomes the command `in the background`.
WORKER_LAUNCHERS = r"(?:celery|bundle|sidekiq|rq|dramatiq|huey|arq|python3?|node|npm|yarn|php|ruby|rails|rake|java|dotnet|\./[\w./-]+|/[\w./-]+)"


def _extract_components(t: _Text, facts: RequestFacts) -> None:
    """`with a celery worker running "celery -A shop worker"` (quoted or not), `plus a sidekiq worker`."""
    kinds = "|".join(WORKER_KINDS)
    runs = r"(?:running|that\s+runs|which\s+runs|runs|with\s+command|command)"
    unquoted = rf"({WORKER_LAUNCHERS}(?:[ \t]+(?!(?:and|with|plus|on|port|using)\b)[^\s,;]+)*)"
    command = rf"(?:\s+{runs}\s*:?\s*(?:[`\"']([^`\"']+)[`\"']|{unquoted}))?"
    main = rf"(?:\b(?:{'|'.join(MAIN_WORKLOAD_WORDS)})(?:\s+component)?\s+(?=(?:and|plus)\b))?"  # `web and worker`
    pattern = rf"{main}\b(?:with|plus|and|also)\s+(?:an?\s+|one\s+)?(?:({kinds})\s+)?{COMPONENT_ROLES}(?:\s+component)?s?\b{command}"
    for m in re.finditer(pattern, t.raw, flags=re.I):
        kind, role, written = (m.group(1) or "").lower(), m.group(2).lower(), m.group(3) or m.group(4)
        if kind == "celery" and role == "beat":
            default = ["celery", "beat"]
        else:
            default = list(WORKER_KINDS.get(kind, []))
        name = role if role not in {c.name for c in facts.components} else f"{kind or 'extra'}-{role}"
        facts.components.append(
            ComponentFact(
                name=name, command=shlex.split(written) if written else default, words=m.group(0).strip()
            )
        )
    if facts.components:
        t.take(pattern, flags=re.I, raw=True)


MAIN_WORKLOAD_WORDS = ("web", "app", "api", "server", "frontend", "main")
COUNTED = r"(?:replicas?|pods|instances|copies)"


def _extract_component_replicas(t: _Text, facts: RequestFacts) -> None:
    """`2 web replicas`, `3 worker replicas`, `worker with 2 replicas`, `beat replicas: 1`.

    With components, each count goes to the part it names (`web` and its kin name the app's own
    workload); without, only `N web replicas` is read here, as the app's count.
    """
    parts = {c.name: c for c in facts.components}
    names = [*parts, *MAIN_WORKLOAD_WORDS] if parts else ["web"]
    named = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    part, count = rf"(?P<part>{named})", rf"(?P<count>{NUMBER})"
    for pattern in (
        rf"\b{count}\s+{part}\s+{COUNTED}\b",
        rf"\b{part}\s+(?:component\s+)?(?:with|at|has|gets|runs(?:\s+with)?)\s+{count}\s+{COUNTED}\b",
        rf"\b{part}\s+(?:replicas?|replica\s+count)\s*(?:=|:|of|to)?\s*{count}\b",
    ):
        for m in t.take(pattern):
            if m["part"] in parts:
                parts[m["part"]].replicas = _number(m["count"])
            else:
                facts.replicas = _number(m["count"])
    if parts:  # `web on port 8080`: next to components, the word names the app's own workload
        t.take(
            rf"\b(?:{'|'.join(MAIN_WORKLOAD_WORDS)})\b(?=\s+(?:on|with|at|listens|serves|exposed|behind)\b)"
        )


def _image_position(t: _Text, facts: RequestFacts) -> int | None:
    if facts.image is None:
        return None
    return next((s.start for s in t.spans if s.extractor == "_extract_image"), None)


def _extract_subject(t: _Text, facts: RequestFacts) -> None:
    """No catalog app, no image, no name: the one unread word before anything else is what to run.

    `wordpress with mysql` with no WordPress in the catalog names the chart `wordpress` (its
    image is then asked for); it never falls back to the dependency.
    """
    if facts.app is not None or facts.image is not None or facts.name is not None:
        return
    first_taken = min((s.start for s in t.spans if s.extractor != "_extract_role"), default=len(t.lower))
    words = [
        m
        for m in re.finditer(
            r"(?<![\w./:@=-])(?:[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z])(?![\w./:@=-])", t.lower[:first_taken]
        )
        if m.group(0) not in FILLER_WORDS and m.group(0) not in SUBJECT_NOUNS
    ]
    if len(words) == 1 and not words[0].group(0).isdigit():
        facts.name = words[0].group(0)
        t.take_span(words[0].start(), words[0].end())


# Words that carry no fact of their own: articles, politeness, "chart", connecting words whose
# meaning lies in what they connect (taken with it), and the language of an app that is run from
# its image anyway. Anything else an extractor did not take is reported as not understood.
FILLER_WORDS = frozenset({
    "a", "an", "the", "and", "or", "with", "for", "to", "of", "in", "on", "at", "by", "from", "as", "into",
    "onto", "via", "per", "is", "are", "be", "it", "its", "it's", "this", "that", "which", "who", "where",
    "when", "there", "here", "then", "so", "also", "too", "just", "only", "some", "any", "my", "our",
    "your", "their", "me", "us", "we", "we'd", "i", "you", "please", "pls", "plz", "thanks", "thank", "thx",
    "kindly", "hi", "hello", "hey", "need", "needs", "want", "wants", "would", "like", "could", "can",
    "should", "must", "will", "shall", "let", "lets", "let's", "gets", "get", "have", "has", "having",
    "give", "make", "makes", "add", "put", "create", "build", "generate", "deploy", "deploying", "deployed", "install", "launch", "run",
    "runs", "running", "ship", "set", "up", "setup", "new", "simple", "small", "basic", "standard", "usual",
    "default", "chart", "charts", "helm", "k8s", "kubernetes", "cluster", "app", "apps", "application",
    "applications", "service", "services", "server", "servers", "container", "containers", "workload",
    "workloads", "thing", "instance", "image", "images", "uses", "using", "use", "needed", "requires",
    "require", "talks", "talk", "connects", "connect", "consumes", "consume", "consuming", "reads",
    "writes", "depends", "backed", "along", "alongside", "plus", "both", "one", "python", "ruby",
    "javascript", "typescript", "java", "kotlin", "scala", "rust", "elixir", "php", "go", "golang", "node",
    "nodejs", "dotnet", "c#", "written", "based", "powered", "behind", "reachable", "accessible", "available", "tool", "team", "exposed", "expose", "exposing",
    "through", "host", "hosts", "hostname", "domain", "domains", "url", "env", "environment", "variable",
    "variables", "var", "vars", "schedule", "scheduled", "account", "api", "cache", "database", "db",
    "queue", "broker", "store"
})  # fmt: skip
SUBJECT_NOUNS = frozenset(
    {"web", "website", "site", "api", "backend", "frontend", "microservice", "thing", "tool"}
)


EXTRACTORS: list[Callable[[_Text, RequestFacts], None]] = []  # filled at the end of the module


def parse_request(text: str) -> RequestFacts:
    """Read the facts a request states; anything it does not state stays None/empty.

    Each fact records the words it came from (`origins`); words no extractor took, beyond
    filler, become `not_understood` notes.
    """
    facts = RequestFacts()
    working = _Text(text)
    for extract in EXTRACTORS:
        working.extractor = extract.__name__
        before = _fact_values(facts)
        first_span = len(working.spans)
        extract(working, facts)
        _record_origins(working, facts, before, first_span)
    if facts.schedule and facts.workload in (None, "Job"):
        facts.workload = "CronJob"
    facts.not_understood = leftover_notes(working)
    return facts


def _fact_values(facts: RequestFacts) -> dict[str, Any]:
    return facts.model_dump(exclude=set(ACCOUNTING_FIELDS))


def _value_words(value: Any) -> list[str]:
    """The text forms of a fact value that may appear in the request (bools and None have none)."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, str | int | float):
        return [str(value).lower()]
    if isinstance(value, dict):
        return [w for k, v in value.items() for w in [str(k).lower(), *_value_words(v)]]
    if isinstance(value, list | tuple):
        return [w for v in value for w in _value_words(v)]
    return []


def _record_origins(t: _Text, facts: RequestFacts, before: dict[str, Any], first_span: int) -> None:
    """Tie each field the extractor changed to the spans it took: by value where the value shows."""
    after = _fact_values(facts)
    changed = [name for name in after if after[name] != before[name]]
    spans = t.spans[first_span:]
    if not changed or not spans:
        return
    claimed: dict[str, list[ConsumedSpan]] = {}
    for name in changed:
        values = [v for v in _value_words(after[name]) if v]
        matches = [s for s in spans if any(v in t.original[s.start : s.end].lower() for v in values)]
        if matches:
            claimed[name] = matches
    for name in changed:
        if name in claimed:
            continue
        # a value that does not show (a flag): the span that names the field ("no service" → service)
        stems = [part[:5] for part in name.split("_") if len(part) >= 3]
        named = [s for s in spans if any(stem in t.original[s.start : s.end].lower() for stem in stems)]
        if named and len(named) < len(spans):
            claimed[name] = named
    used = {s for found in claimed.values() for s in found}
    unclaimed = [s for s in spans if s not in used] or spans
    if claimed and all(name in claimed for name in changed):
        _give_leftover_spans(claimed, [s for s in spans if s not in used])
    for name in changed:
        own = sorted(set(claimed.get(name, unclaimed)), key=lambda s: s.start)
        words = " … ".join(dict.fromkeys(t.words(s) for s in own))
        facts.origins.append(FactOrigin(field=name, words=words, extractor=t.extractor))


def _give_leftover_spans(claimed: dict[str, list[ConsumedSpan]], leftover: list[ConsumedSpan]) -> None:
    """A span no field claimed still belongs to the extractor's facts: it joins the nearest field's
    words (`keda` beside `rabbitmq queue orders`), so words read are never dropped from the account."""
    for span in leftover:
        nearest = min(
            claimed,
            key=lambda name: min(abs(s.start - span.start) for s in claimed[name]),
        )
        claimed[nearest].append(span)


def leftover_notes(t: _Text) -> list[NotDone]:
    """What no extractor took and is not filler, as notes in the user's words, one per unbroken stretch."""
    groups: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\s]+", t.lower):
        word = m.group(0).strip(".,;:!?()[]{}\"'`")
        if not word or word in FILLER_WORDS or not re.search(r"[a-z0-9]", word):
            continue
        start = m.start() + m.group(0).index(word)
        end = start + len(word)
        if groups and not _parts_apart(t, groups[-1][1], start):
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    notes = []
    for start, end in groups:
        words = t.original[start:end].strip(" .,;:!?()[]{}")
        notes.append(NotDone(words=words, reason="not understood", kind="not_understood"))
    return notes


def _parts_apart(t: _Text, start: int, end: int) -> bool:
    """Two unread words belong to different parts when a read span or a `,;.!?` lies between them."""
    if re.search(r"[,;!?]|\.(?:\s|$)", t.original[start:end]):
        return True
    return any(s.start < end and s.end > start for s in t.spans)


# --- capabilities (issue 11 point 5): scaling, secrets, networking, observability, scheduling, jobs ---

DURATION = r"(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)\b"
DURATION_OR_SECONDS = (
    r"(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?\b"  # after an explicit keyword
)
KEDA_DEFAULTS: dict[str, tuple[dict[str, str], str, str]] = {
    # scaler type -> (metadata, what the request names, parameter read from the auth Secret)
    "rabbitmq": ({"protocol": "amqp", "mode": "QueueLength", "value": "20"}, "queueName", "host"),
    "kafka": ({"bootstrapServers": "kafka:9092", "lagThreshold": "50"}, "topic", "password"),
    "redis": ({"address": "redis:6379", "listLength": "10"}, "listName", "password"),
    "aws-sqs-queue": ({"awsRegion": "us-east-1", "queueLength": "10"}, "queueURL", "awsSecretAccessKey"),
    "prometheus": (
        {"serverAddress": "http://prometheus-operated.monitoring:9090", "threshold": "100"},
        "query",
        "bearerToken",
    ),
    "cron": ({"timezone": "UTC", "start": "0 8 * * *", "end": "0 18 * * *", "desiredReplicas": "1"}, "", ""),
}
KEDA_SOURCES = {"rabbitmq": "rabbitmq", "amqp": "rabbitmq", "kafka": "kafka", "redis": "redis",
                "sqs": "aws-sqs-queue", "prometheus": "prometheus", "cron": "cron"}  # fmt: skip
KEDA_MEASURES = r"(?:queue|topic|list|length|lag|query|messages?|backlog)"
# a queue's name follows its noun or `named`: in `redis nginx keda` nginx is the app, not a list
KEDA_SOURCE = (
    rf"\b(rabbitmq|amqp|kafka|redis|sqs|prometheus|cron)\b(?:\s+(?:length|lag|messages?|backlog))?"
    rf"(?:\s+(?:(?:queue|topic|list|query)\s+(?:named\s+|called\s+)?|named\s+|called\s+)[`\"']?([\w.:/-]+)[`\"']?"
    rf"|\s+{KEDA_MEASURES})?"
)
CONTROL_PLANE_KEY = "node-role.kubernetes.io/control-plane"
NOT_PORT_NAMES = {"metrics", "the", "a", "an", "and", "on", "at", "listens", "listening", "serves", "exposes", "expose",
                  "container", "service", "its", "tcp", "udp", "app", "with", "same", "one", "default", "target",
                  "postgres", "mysql", "redis", "rabbitmq", "kafka", "mongodb", "database", "db"}  # fmt: skip


def _seconds(number: str, unit: str | None) -> int:
    n = int(number)
    unit = unit or "s"
    return n * 3600 if unit.startswith("h") else n * 60 if unit.startswith("m") else n


def _extract_init_containers(t: _Text, facts: RequestFacts) -> None:
    """`an init container that downloads https://…/model.bin into /models (20Gi)`: a shared emptyDir."""
    for m in t.take(r"\b(?:an?\s+)?init[- ]?containers?\b(?:[^.;,]|\.(?=\S))*", raw=True, flags=re.I):
        clause = m.group(0)
        path = re.search(r"\b(?:into|in|to|at|under|fills?)\s+(/[\w./-]*)", clause)
        size = re.search(
            r"\b(?:size[- ]?limit\s*(?:of\s+)?|up\s+to\s+|max(?:imum)?\s+)?(\d+(?:\.\d+)?\s?(?:gi|gb|mi|mb|g|t|ti))\b",
            clause,
            re.I,
        )
        quoted = re.search(r"[`\"']([^`\"']+)[`\"']", clause)
        url = re.search(r"\b(https?://[^\s,;]+)", clause)
        image = re.search(r"\b(?:image|using|with)\s+([a-z0-9][\w.\-/]*:[\w][\w.-]*)", clause)
        shared = path.group(1) if path else "/shared"
        command: list[str] = []
        spec_image = None
        if quoted:
            command = shlex.split(quoted.group(1))
        elif url:
            target = url.group(1).rstrip("/").rsplit("/", 1)[-1] or "download"
            command = ["wget", "-O", f"{shared.rstrip('/')}/{target}", url.group(1)]
            spec_image = ImageSpec.parse("docker.io/library/busybox:1.37.0")
        if image:
            spec_image = ImageSpec.parse(image.group(1))
        name = "download" if url else "init"
        facts.init_containers.append(
            InitContainerPlan(
                name=name
                if name not in {c.name for c in facts.init_containers}
                else f"{name}-{len(facts.init_containers)}",
                image=spec_image,
                command=command,
                shared_path=shared,
                size_limit=_memory(size.group(1)) if size else None,
            )
        )


def _extract_keda(t: _Text, facts: RequestFacts) -> None:
    """`scale to zero with keda on rabbitmq queue orders, credentials from secret mq-auth`."""
    if not t.find(r"\bkeda\b|\bscale[sd]?\s+(?:down\s+)?to\s+zero\b"):
        return
    source = t.find(KEDA_SOURCE)
    if source is None and t.find(rf"\b{KEDA_MEASURES}\b"):
        return  # `keda on queue length` names no queue: reported in the user's words, not turned into cpu
    if t.take(r"\bscale[sd]?\s+(?:down\s+)?to\s+zero\b"):
        facts.keda_min = 0
    kind = KEDA_SOURCES[source.group(1)] if source else "cpu"
    if source:
        t.take(re.escape(source.group(0)))
    if kind == "cpu":
        facts.keda_triggers.append(KedaTrigger(type="cpu", metadata={"type": "Utilization", "value": "70"}))
    else:
        metadata, named_field, _ = KEDA_DEFAULTS[kind]
        metadata = dict(metadata)
        named = source.group(2) if source else None
        if named and named_field and named not in NOT_NAMES and not re.fullmatch(KEDA_MEASURES, named):
            metadata[named_field] = named
        elif named_field:
            metadata[named_field] = facts.name or "work"
        facts.keda_triggers.append(KedaTrigger(type=kind, metadata=metadata))
    if (
        m := t.find(rf"\bkeda\b[^.;]*?\b(?:from|between)\s+{NUMBER}\s+(?:to|and|-)\s+{NUMBER}\b")
        or t.find(rf"\b{NUMBER}\s*(?:-|to)\s*{NUMBER}\s+(?:replicas|pods)\b")
        or t.find(rf"\bmin(?:imum)?\s+{NUMBER}\s*,?\s+(?:and\s+)?max(?:imum)?\s+{NUMBER}\b")
    ):
        facts.keda_min, facts.keda_max = _number(m.group(1)), _number(m.group(2))
        t.take(re.escape(m.group(0)))
    elif m := t.find(rf"\b(?:up\s+to|max(?:imum)?)\s+{NUMBER}\s*(?:replicas|pods)?"):
        facts.keda_max = _number(m.group(1))
        t.take(re.escape(m.group(0)))
    if m := t.find(
        rf"\b(?:credentials?|auth\w*|connection)\s+(?:(?:is|are)\s+)?(?:from|in|via)\s+(?:the\s+)?(?:existing\s+)?secret\s+{SECRET_NAME}(?:\s+key\s+([\w.-]+))?"
    ):
        facts.keda_auth_secret = m.group(1)
        parameter = KEDA_DEFAULTS.get(kind, ({}, "", ""))[2]
        if parameter:
            facts.keda_auth_params[parameter] = m.group(2) or parameter
        t.take(re.escape(m.group(0)))
    t.take(r"\b(?:scal\w+\s+)?(?:with|using|via|by)\s+keda\b|\bkeda(?:\s+scal\w+)?\b")


def _extract_vpa(t: _Text, facts: RequestFacts) -> None:
    if not t.take(r"\b(?:vpas?|vertical\s*pod\s*auto-?scal\w*|vertical\s+auto-?scal\w*)\b"):
        return
    facts.vpa = True
    if m := t.find(r"\b(?:in\s+|update\s*mode\s+|mode\s+)(auto|recreate|initial|off)(?:\s+mode)?\b"):
        facts.vpa_mode = {"auto": "Auto", "recreate": "Recreate", "initial": "Initial", "off": "Off"}[
            m.group(1)
        ]
        t.take(re.escape(m.group(0)))
    t.take(r"\b(?:recommendations?\s+only|recommend(?:ation)?\s+mode)\b")


def _extract_external_secret(t: _Text, facts: RequestFacts) -> None:
    """`an ExternalSecret from ClusterSecretStore vault-backend, key prod/shop`: the operator writes the Secret."""
    store = t.find(
        r"\b(cluster)?[- ]?(?:external[- ]?)?secrets?[- ]?store\s+(?:named\s+|called\s+)?[`\"']?([a-z0-9][a-z0-9.-]*[a-z0-9])"
    )
    said = t.find(r"\bexternal[- ]?secrets?(?:[- ]operator)?\b")
    if not (store or said):
        return
    facts.external_secret = True
    if store:
        facts.external_store = store.group(2)
        facts.external_store_kind = "ClusterSecretStore" if store.group(1) else "SecretStore"
        t.take(re.escape(store.group(0)))
    t.take(r"\bexternal[- ]?secrets?(?:[- ]operator)?\b")
    for m in t.take(
        r"\bkeys?\s+([a-z0-9_][\w-]*(?:\s*(?:,|and)\s*[a-z0-9_][\w-]*)*)\s+(?:from|at|of)\s+(?:remote\s+(?:key|path)\s+)?([\w./-]+/[\w./-]+)",
        raw=True,
        flags=re.I,
    ):
        for key in re.split(r"\s*(?:,|\band\b)\s*", m.group(1)):
            if key:
                facts.external_keys.append(
                    ExternalSecretKey(secret_key=key, remote_key=m.group(2), property=key)
                )
    if key := t.find(r"\b(?:remote\s+)?(?:key|path)\s+([\w.-]+/[\w./-]+)", raw=True, flags=re.I):
        facts.external_extract_key = key.group(1)
        t.take(re.escape(key.group(0)), raw=True)


def _extract_secret_mounts(t: _Text, facts: RequestFacts) -> None:
    """`mount the tls secret shop-tls at /etc/tls`: read-only files; `env from secret app-env`: envFrom."""
    for m in t.take(
        rf"\bmount(?:s|ed)?\s+(?:the\s+)?(?:existing\s+)?(?:tls\s+|certificate\s+)?secret\s+{SECRET_NAME}\s+(?:as\s+(?:files?|a\s+volume)\s+)?(?:at|on|in|under|to)\s+(/[\w./-]*)"
    ):
        facts.secret_mounts[m.group(1)] = m.group(2)
    for m in t.take(
        rf"\b(?:secret\s+{SECRET_NAME}|{SECRET_NAME}\s+secret)\s+mounted\s+(?:read[- ]only\s+)?(?:at|on|in|under)\s+(/[\w./-]*)"
    ):
        name = m.group(1) or m.group(2)
        if name not in NOT_NAMES:
            facts.secret_mounts[name] = m.group(3)
    for m in t.take(
        rf"\b(?:env\s*from|all\s+keys\s+of|every\s+key\s+of)\s+(?:the\s+)?(?:existing\s+)?secrets?\s+{SECRET_NAME}"
        rf"((?:\s*(?:,|and)\s*{SECRET_NAME})*)"
    ):  # `env from existing secrets app-env and app-extra`: each one
        for name in [m.group(1), *re.findall(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?", m.group(2) or "")]:
            if name not in NOT_NAMES and name not in facts.secrets:
                facts.secrets.append(name)


def _extract_network_rules(t: _Text, facts: RequestFacts) -> None:
    """Ingress from namespaces or pod labels, egress to CIDR:port, deny the rest."""
    ns = r"([a-z0-9][a-z0-9-]*[a-z0-9])"
    for m in t.take(
        rf"\b(?:allow\s+)?(?:ingress|traffic)?\s*(only\s+)?from\s+(?:the\s+)?namespaces?\s+{ns}((?:\s*(?:,|and)\s*{ns}(?![\w-])(?!\s+(?:to|on|port)\b))*)"
    ):
        facts.np_only = facts.np_only or bool(m.group(1))
        for name in [m.group(2), *re.findall(r"[a-z0-9][a-z0-9-]*[a-z0-9]", m.group(3) or "")]:
            if name not in {"and"} and name not in facts.np_ingress_namespaces:
                facts.np_ingress_namespaces.append(name)
    for m in t.take(
        r"\b(?:allow\s+)?(?:ingress|traffic)?\s*(only\s+)?from\s+(?:the\s+)?pods?\s+(?:with\s+)?(?:the\s+)?labels?\s+([\w./-]+)\s*[=:]\s*([\w.-]+)",
        raw=True,
        flags=re.I,
    ):
        facts.np_only = facts.np_only or bool(m.group(1))
        facts.np_ingress_pod_labels[m.group(2)] = m.group(3)
    cidr = r"(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})"
    for m in t.take(
        rf"\begress\s+(?:only\s+)?to\s+{cidr}(?:\s*:\s*(\d{{1,5}})|\s+(?:on\s+)?port\s+(\d{{1,5}}))?"
    ):
        try:
            facts.np_egress_rules.append(
                EgressRule(cidr=m.group(1), port=int(m.group(2) or m.group(3) or 0) or None)
            )
        except ValueError:
            continue
    for m in t.take(rf"\b(?:and|,)\s+(?:to\s+)?{cidr}(?:\s*:\s*(\d{{1,5}})|\s+(?:on\s+)?port\s+(\d{{1,5}}))"):
        if facts.np_egress_rules:
            facts.np_egress_rules.append(EgressRule(cidr=m.group(1), port=int(m.group(2) or m.group(3))))
    if facts.np_egress_rules:
        facts.egress_restricted = facts.network_policy = True
        t.take(r"\b(?:allow\s+)?dns(?:\s+to\s+kube-dns)?\b|\bkube-dns\b")
    if t.take(
        r"\b(?:deny|block|drop)\s+(?:all\s+)?(?:the\s+)?(?:rest|everything\s+else|all\s+other\s+traffic|other\s+traffic)\b|\bdefault[- ]deny\b"
    ):
        facts.np_only = facts.egress_restricted = True
        facts.network_policy = True
    if facts.np_ingress_namespaces or facts.np_ingress_pod_labels:
        facts.network_policy = True


def _extract_traefik_options(t: _Text, facts: RequestFacts) -> None:
    """Traefik certResolver and middlewares: https redirect, security headers, rate limit."""
    if m := t.find(r"\bcert[- ]?resolver\s*:?\s*[`\"']?([a-z0-9][a-z0-9_.-]*)"):
        facts.cert_resolver, facts.tls = m.group(1), True
        facts.exposure = facts.exposure or "ingressroute"
        t.take(re.escape(m.group(0)))
    if t.take(
        r"\bredirect(?:s|ing)?\s+(?:all\s+)?(?:plain\s+)?(?:http\s+)?(?:traffic\s+)?to\s+https\b|\bhttps\s+redirect\b|\bforce\s+https\b"
    ):
        facts.redirect_https = facts.tls = True
    if t.take(r"\bsecurity\s+headers\b|\bhsts\b"):
        facts.security_headers = True
    if m := t.find(
        r"\brate[- ]?limit(?:ed|ing)?(?:\s+middleware)?\s+(?:of\s+|to\s+|at\s+)?(\d+)\s*(?:req(?:uest)?s?|r)?\s*(?:/|per\s+)\s*(?:s|sec|second)\b(?:\s*(?:,|with|and)?\s*burst\s+(?:of\s+)?(\d+))?"
    ):
        facts.rate_limit = int(m.group(1))
        facts.rate_limit_burst = int(m.group(2)) if m.group(2) else None
        t.take(re.escape(m.group(0)))


def _extract_issuer_kind(t: _Text, facts: RequestFacts) -> None:
    """A namespaced cert-manager Issuer is named as such; anything else is a ClusterIssuer."""
    if t.find(
        r"\bnamespaced\s+(?:cert[- ]manager\s+)?issuer\b|\bissuer\s+kind\s+issuer\b|\b(?:an?\s+)?issuer\s+\(not\s+cluster"
    ):
        facts.issuer_kind = "Issuer"
        t.take(r"\bnamespaced\b(?=\s+(?:cert[- ]manager\s+)?issuer)|\bkind\s+issuer\b")
    elif t.find(r"\bcluster[- ]?issuer\b"):
        facts.issuer_kind = "ClusterIssuer"


def _extract_service_options(t: _Text, facts: RequestFacts) -> None:
    """Service type and named ports (`http port 8080 and admin port 9090`)."""
    if t.take(r"\b(?:type\s+)?load[- ]?balancer(?:\s+service)?\b"):
        facts.service_type = "LoadBalancer"
    elif t.take(r"\b(?:type\s+)?node[- ]?port(?:\s+service)?\b"):
        facts.service_type = "NodePort"
    _extract_port_lists(t, facts)
    # single spaces only: a blanked span between two words must not join them into "name port N"
    pattern = r"\b([a-z][a-z0-9-]{0,14}) port (?:on )?(\d{2,5})\b"
    for m in list(re.finditer(pattern, t.lower)):
        name, number = m.group(1), int(m.group(2))
        if name in NOT_PORT_NAMES or t.lower[max(0, m.start() - 4) : m.start()].strip() == "to":
            continue  # "connects to redis port 6379" names the peer, not this app's port
        if _add_named_port(facts, name, number):
            t.take(re.escape(m.group(0)))


def _extract_udp_ports(t: _Text, facts: RequestFacts) -> None:
    """`port 5353 udp`, `5353/udp`, `udp port 5353`: the port's protocol; its number is read as a port."""
    for m in list(re.finditer(r"\b(\d{2,5})\s*(?:/\s*)?(udp)\b|\b(udp)\s+port\s+(\d{2,5})\b", t.lower)):
        number = int(m.group(1) or m.group(4))
        if 1 <= number <= 65535 and number not in facts.udp_ports:
            facts.udp_ports.append(number)
            word = 2 if m.group(2) else 3
            t.take_span(m.start(word), m.end(word))


def _extract_app_protocol(t: _Text, facts: RequestFacts) -> None:
    """`appProtocol http2`: what the (first) port speaks, for the Service and routes."""
    if m := t.find(r"\bapp[- ]?protocol\s*[:=]?\s*([a-z][a-z0-9.+/-]{1,30})(?![\w./-])"):
        facts.app_protocol = m.group(1)
        t.take(re.escape(m.group(0)))


def _add_named_port(facts: RequestFacts, name: str, number: int) -> bool:
    """One named port (and its number among the ports), unless the name or number is taken."""
    if name in NOT_PORT_NAMES or not 1 <= number <= 65535:
        return False
    if any(n == name or p == number for n, p in facts.named_ports):
        return False
    facts.named_ports.append((name, number))
    if number not in facts.ports:
        facts.ports.append(number)
    return True


def _extract_port_lists(t: _Text, facts: RequestFacts) -> None:
    """`ports http 8080 and admin 9090`, `1883 for mqtt and 8883 for mqtts`: names beside numbers."""
    name = r"[a-z][a-z0-9-]{0,14}"
    pair = rf"{name}\s+\d{{2,5}}"
    for m in list(re.finditer(rf"\bports\s*:?\s+({pair}(?:\s*(?:,|and|&)\s*{pair})+)\b", t.lower)):
        pairs = re.findall(rf"({name})\s+(\d{{2,5}})", m.group(1))
        if all(_add_named_port(facts, n, int(p)) for n, p in pairs):
            t.take_span(m.start(), m.end())
    for m in list(re.finditer(rf"\b(\d{{2,5}})\s+for\s+({name})\b", t.lower)):
        if _add_named_port(facts, m.group(2), int(m.group(1))):
            t.take_span(m.start(), m.end())


def _extract_observability(t: _Text, facts: RequestFacts) -> None:
    """ServiceMonitor labels (`release: kube-prometheus-stack`) and default alerts (PrometheusRule)."""
    for m in t.take(r"\bservice\s*monitor\s+labels?\s+([\w./-]+)\s*[=:]\s*([\w.-]+)"):
        facts.service_monitor_labels[m.group(1)] = m.group(2)
        facts.metrics, facts.service_monitor = True, True
    # "release kube-prometheus-stack" without ':' only where a monitor is mentioned (a Helm release otherwise)
    spaced = r"\s*[:=]\s*|\s+" if t.find(r"\bservice\s*monitor|\bprometheus") else r"\s*[:=]\s*"
    for m in t.take(rf"\b(?:with\s+)?(?:the\s+)?(?:label\s+)?(release)(?:{spaced})([a-z0-9][a-z0-9.-]*)"):
        facts.service_monitor_labels[m.group(1)] = m.group(2)
        facts.metrics, facts.service_monitor = True, True
    topic = r"(?:errors?(?:\s+(?:ratio|rate))?|latency|restarts?)"
    if t.take(
        r"\bprometheus\s*rules?\b|\b(?:default\s+|useful\s+|prometheus\s+)?alert(?:s|ing)?(?:\s+rules?)?"
        rf"(?:\s+(?:on|for)\s+{topic}(?:\s*(?:,|and)\s*{topic})*)?\b"
    ):  # the default rules cover error ratio, latency and restarts
        facts.alerting = True
        facts.metrics = True


def _extract_hardware(t: _Text, facts: RequestFacts) -> None:
    """GPUs, control-plane tolerations and the PriorityClass."""
    if m := t.find(rf"\b{NUMBER}\s+(?:nvidia\s+)?gpus?\b") or t.find(
        r"\b(?:an?\s+|with\s+(?:an?\s+)?|needs\s+(?:an?\s+)?)(?:nvidia\s+)?gpu\b"
    ):
        facts.gpu = _number(m.group(1)) if m.groups() and m.group(1) else 1
        t.take(re.escape(m.group(0)))
    if facts.gpu is None and t.find(r"\bgpu\s+nodes?\b"):
        facts.gpu = 1  # "runs on gpu nodes": it needs one to be scheduled there
    if facts.gpu:
        t.take(r"\b(?:on\s+)?gpu\s+nodes?\b|\bnvidia\b")
    if t.take(
        r"\b(?:tolerat\w*\s+(?:the\s+)?|(?:also\s+)?(?:on|including)\s+(?:the\s+)?)(?:control[- ]plane|master)(?:\s+(?:nodes?|taints?))?\b"
    ):
        facts.control_plane = True
    if m := t.find(r"\bpriority[- ]?class(?:[- ]?name)?\s+[`\"']?([a-z0-9][a-z0-9.-]*[a-z0-9])"):
        facts.priority_class = m.group(1)
        t.take(re.escape(m.group(0)))


def _extract_health_path(t: _Text, facts: RequestFacts) -> None:
    """`health check at /healthz`: HTTP readiness and liveness on that path."""
    if m := t.find(
        r"\b(?:health\s*(?:check|endpoint|probe)s?|readiness\s+probe)\s+(?:at|on|is)?\s*(/[\w./-]*)"
    ):
        facts.health_path = m.group(1)
        t.take(re.escape(m.group(0)))


def _extract_lifecycle(t: _Text, facts: RequestFacts) -> None:
    """Slow starters (startupProbe), preStop pauses and grace periods."""
    if m := t.find(rf"\btakes?\s+(?:up\s+to\s+)?{DURATION}\s+to\s+(?:start|boot|warm\s+up)\b"):
        facts.startup_seconds = _seconds(m.group(1), m.group(2))
        t.take(re.escape(m.group(0)))
    elif t.take(r"\bslow[- ](?:to[- ])?start(?:s|ing|er|up)?\b|\bstarts?\s+slowly\b|\bstartup\s*probe\b"):
        facts.startup_seconds = 300
    if m := t.find(
        rf"\b(?:pre[- ]?stop(?:\s+hook)?\s+(?:that\s+)?(?:sleeps?|waits?|pauses?|of)?|drain\s+for)\s*(?:for\s+|of\s+)?{DURATION_OR_SECONDS}"
    ):
        facts.pre_stop_seconds = _seconds(m.group(1), m.group(2))
        t.take(re.escape(m.group(0)))
    if m := t.find(
        rf"\b(?:(?:termination\s+)?grace(?:ful)?(?:\s+shutdown)?(?:\s+period)?(?:\s+seconds)?|terminationgraceperiodseconds)\s*(?:of\s+|=\s*|:\s*)?{DURATION_OR_SECONDS}"
    ) or t.find(rf"\b{DURATION}\s+(?:to\s+shut\s*down|grace(?:\s+period)?|to\s+stop\s+gracefully)\b"):
        facts.grace_seconds = _seconds(m.group(1), m.group(2))
        t.take(re.escape(m.group(0)))


def _extract_hooks(t: _Text, facts: RequestFacts) -> None:
    """`run 'rake db:migrate' as a pre-install and pre-upgrade hook, weight -5, deleted when it succeeds`."""
    events = r"(?:pre|post)[- ](?:install|upgrade|delete)"
    m = t.find(rf"\b({events}(?:\s*(?:,|and|&|/)\s*{events})*)\s+hooks?(?:\s+jobs?)?\b")
    if not m:
        return
    facts.hook_events = [e.replace(" ", "-") for e in re.findall(events, m.group(1))]
    t.take(re.escape(m.group(0)))
    quoted = r"\b(?:runs?|running|executes?|with\s+command)\s*:?\s*[`\"']([^`\"']+)[`\"']"
    near = [c for c in re.finditer(quoted, t.raw, re.I) if abs(c.start() - m.start()) <= 80]  # same clause
    command = min(near, key=lambda c: abs(c.start() - m.start()), default=None)
    if command is None:  # `hook job running ./seed.sh`: an unquoted script is the command too
        script = r"\b(?:runs?|running|executes?|with\s+command)?\s*(\.{0,2}/[\w./-]+|[\w./-]+\.(?:sh|py|rb|js))(?![\w./-])"
        near = [c for c in re.finditer(script, t.raw, re.I) if 0 <= c.start() - m.end() <= 40]
        command = near[0] if near else None
    if command:
        facts.hook_command = shlex.split(command.group(1))
        t.take(re.escape(command.group(0)), raw=True)
    if w := t.find(r"\b(?:hook[- ])?weight\s*(?:of\s+)?(-?\d+)\b"):
        facts.hook_weight = int(w.group(1))
        t.take(re.escape(w.group(0)))
    policies = {"before-hook-creation": r"before[- ]hook[- ]creation|before\s+the\s+next\s+run",
                "hook-succeeded": r"hook[- ]succeeded|when\s+it\s+succeeds|after\s+success",
                "hook-failed": r"hook[- ]failed|when\s+it\s+fails"}  # fmt: skip
    for policy, pattern in policies.items():
        if t.take(rf"\b(?:deleted?\s+|delete[- ]policy\s+)?(?:{pattern})\b"):
            facts.hook_delete_policy.append(policy)


def _extract_job_limits(t: _Text, facts: RequestFacts) -> None:
    """Deadlines, history limits and the CronJob time zone."""
    if m := t.find(rf"\bstarting[- ]?deadline(?:[- ]?seconds)?\s*(?:of\s+|=\s*|:\s*)?{DURATION_OR_SECONDS}"):
        facts.starting_deadline = _seconds(m.group(1), m.group(2))
        t.take(re.escape(m.group(0)))
    batch = facts.workload in {"Job", "CronJob"} or facts.schedule is not None
    generic = rf"\b(?:timeout|time\s*limit|deadline|(?:must\s+)?finish(?:es)?\s+within|runs?\s+at\s+most)\s*(?:of\s+|=\s*|:\s*)?{DURATION}"
    if m := t.find(
        rf"\bactive[- ]?deadline(?:[- ]?seconds)?\s*(?:of\s+|=\s*|:\s*)?{DURATION_OR_SECONDS}"
    ) or (t.find(generic) if batch else None):
        facts.active_deadline = _seconds(m.group(1), m.group(2))
        t.take(re.escape(m.group(0)))
    if m := t.find(rf"\bkeep\s+(?:the\s+)?(?:last\s+)?{NUMBER}\s+successful(?:\s+(?:jobs|runs))?"):
        facts.keep_successful = _number(m.group(1))
        t.take(re.escape(m.group(0)))
    if m := t.find(
        rf"\b(?:and\s+|keep\s+(?:the\s+)?(?:last\s+)?){NUMBER}\s+failed(?:\s+(?:jobs|runs|ones))?"
    ):
        facts.keep_failed = _number(m.group(1))
        t.take(re.escape(m.group(0)))
    if m := t.find(rf"\bhistory[- ]limits?\s*(?:of\s+)?{NUMBER}\b"):
        facts.keep_successful = facts.keep_failed = _number(m.group(1))
        t.take(re.escape(m.group(0)))
    if m := t.find(
        r"\b(?:time\s*zone|tz)\s*:?\s*([A-Z][A-Za-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?|UTC)\b", raw=True, flags=re.I
    ) or t.find(r"\b(?:in\s+)?([A-Z][a-z]+/[A-Z][A-Za-z_]+)\s+time\b", raw=True):
        facts.time_zone = m.group(1)
        t.take(re.escape(m.group(0)), raw=True)


def _extract_config_data(t: _Text, facts: RequestFacts) -> None:
    """`config LOG_LEVEL=debug, FEATURE_X=on`: ConfigMap data the app reads as env."""
    pair = r"[A-Za-z_][A-Za-z0-9_]*=(?:\"[^\"]*\"|'[^']*'|[^\s,;]+)"
    m = t.find(
        rf"\b(?:config\s*-?\s*m(?:ap|pa)|configuration|config|settings)\s*(?:data|values?|entries|keys)?\s*(?:with|:|of|=|containing|holding)?\s*((?:{pair})(?:\s*(?:,|and)\s*{pair})*)",
        raw=True,
        flags=re.I,
    )
    if not m:
        return
    for name, value in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|[^\s,;]+)", m.group(1)):
        facts.config_data[name] = value.strip("\"'")
    t.take(re.escape(m.group(0)), raw=True)
    t.take(r"\b(?:in|into|as)\s+(?:an?\s+|the\s+)?config\s*-?\s*maps?\b")  # where the pairs go: said already


def _extract_storage_options(t: _Text, facts: RequestFacts) -> None:
    """Access modes and existing claims, on any workload."""
    modes = {"readwritemany": "ReadWriteMany", "rwx": "ReadWriteMany", "shared": "ReadWriteMany",
             "readonlymany": "ReadOnlyMany", "rox": "ReadOnlyMany", "readwriteonce": "ReadWriteOnce",
             "rwo": "ReadWriteOnce", "readwriteoncepod": "ReadWriteOncePod"}  # fmt: skip
    for m in t.take(
        r"\b(readwriteoncepod|readwritemany|readonlymany|readwriteonce|rwx|rox|rwo)\b|\bshared(?=\s+(?:volume|storage|disk))"
    ):
        mode = modes[m.group(0)]
        if mode not in facts.access_modes:
            facts.access_modes.append(mode)
    if claim := t.find(
        rf"\b(?:existing\s+(?:pvc|claim|volume\s+claim|persistent\s*volume\s*claim)|(?:use|uses|using)\s+(?:the\s+)?(?:pvc|claim))\s+(?:named\s+|called\s+)?[`\"']?{SECRET_NAME}"
    ):
        facts.existing_claim = claim.group(1)
        t.take(re.escape(claim.group(0)))
    if klass := t.find(r"\bstorage\s*(class(?:\s*name)?\s*:?\s+[`\"']?([a-z0-9][a-z0-9.-]*))"):
        facts.storage_class = klass.group(2)  # read before the exposure extractor sees "class X"
        sized = re.search(
            r"\d\s?(?:gi|gb|mi|mb|ti|tb|g|t)\s+(?:of\s+)?(?:persistent\s+)?$", t.lower[: klass.start()]
        )
        # "10Gi storage" stays for the persistence extractor; a bare "storage class X" is read whole
        t.take_span(klass.start(1) if sized else klass.start(), klass.end(1))


def _extract_hpa_targets(t: _Text, facts: RequestFacts) -> None:
    """`autoscale 2-10 at 70% cpu`, `target memory 80 %`: HPA utilization targets."""
    if m := t.find(
        rf"\b(?:auto-?scal\w*|hpa)\s+(?:between\s+|from\s+)?{NUMBER}\s*(?:-|–|\.\.|to)\s*{NUMBER}\b(?:\s+(?:replicas|pods))?"
    ):
        facts.autoscale, facts.autoscale_min, facts.autoscale_max = (
            True,
            _number(m.group(1)),
            _number(m.group(2)),
        )
        t.take(re.escape(m.group(0)))
    pct = r"(\d{1,3})\s*(?:%|percent)"
    kinds = r"(cpu|memory|mem|ram)"
    found = [
        (mm.group(2), mm.group(1))
        for mm in t.take(
            rf"\b(?:at\s+|target(?:ing)?\s+)?{pct}\s+(?:average\s+)?{kinds}(?:\s+(?:utili[sz]ation|usage|target))?"
        )
    ]
    found += [
        (mm.group(1), mm.group(2))
        for mm in t.take(
            rf"\b(?:target\s+)?{kinds}\s+(?:utili[sz]ation\s+|usage\s+|target\s+)?(?:of\s+|at\s+|=\s*|:\s*)?{pct}"
        )
    ]
    for kind, value in found:
        if 1 <= int(value) <= 100:
            if kind == "cpu":
                facts.target_cpu = int(value)
            else:
                facts.target_memory = int(value)
            facts.autoscale = True


def _extract_node_agent(t: _Text, facts: RequestFacts) -> None:
    """`reads /var/log from the host`: read-only hostPath mounts for DaemonSet node agents."""
    verb = r"\b(?:reads?|reading|mounts?|mounting|needs?|access(?:es)?|with)\s+(?:the\s+)?"
    # a bare `mounting /proc read-only` names the host's path only on a node agent
    where = r"(?:read[- ]only\s+)?(?:from|on)\s+the\s+(?:host|node)"
    if facts.workload == "DaemonSet":
        where += r"|read[- ]only(?=\s|$)"
    for m in t.take(
        rf"{verb}(?:host(?:'s)?\s+|node(?:'s)?\s+)?(/[\w./-]+)\s+(?:{where})(?:\s+(?:at|into|to)\s+(/[\w./-]+))?"
    ):
        facts.host_paths.append((m.group(1), m.group(2) or m.group(1)))
    for m in t.take(r"\bhost[- ]?path\s+(/[\w./-]+)(?:\s+(?:at|into|to|mounted\s+at)\s+(/[\w./-]+))?"):
        facts.host_paths.append((m.group(1), m.group(2) or m.group(1)))


# Order matters: an extractor blanks what it reads, so the more specific phrase goes first
# (a hook's quoted command before the app's, `credentials from secret X` before database secrets,
# `70% cpu` before resource requests, a named port before bare port numbers).
EXTRACTORS.extend(
    [
        _extract_components,
        _extract_component_replicas,
        _extract_init_containers,
        _extract_hooks,
        _extract_quoted_commands,
        _extract_dependencies,
        _extract_keda,
        _extract_vpa,
        _extract_external_secret,
        _extract_secret_mounts,
        _extract_network_rules,
        _extract_secrets,
        _extract_name,
        _extract_image,
        _extract_schedule,
        _extract_role,
        _extract_workload,
        _extract_job_limits,
        _extract_hardware,
        _extract_scheduling,
        _extract_rbac,
        _extract_storage_options,
        _extract_traefik_options,
        _extract_issuer_kind,
        _extract_exposure,
        _extract_node_agent,  # `/var/log from the node` before the app reads `node` as Node.js
        _extract_app,
        _extract_observability,
        _extract_config_data,
        _extract_env,
        _extract_metrics,
        _extract_health_path,
        _extract_lifecycle,
        _extract_hpa_targets,
        _extract_resources,
        _extract_persistence,
        _extract_pdb_bound,
        _extract_scaling,
        _extract_network_policy,
        _extract_service_options,
        _extract_app_protocol,
        _extract_udp_ports,
        _extract_ports,
        _extract_subject,
    ]
)
