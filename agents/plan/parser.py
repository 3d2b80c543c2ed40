"""Free text → `RequestFacts`: the rule-based reader behind `/autopilot chart …` with no LLM.

Each fact has one small extractor. Extractors run in a fixed order over a working copy of the
text and blank out what they consumed, so `secret shop-db` is never also read as the chart name
and `on every node` never picks the Node.js runtime.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from agents.plan.catalog import catalog_aliases, dependency_aliases
from agents.plan.facts import ComponentFact, DatabaseSecret, DependencyFact, RequestFacts, SecretEnv
from agents.plan.model import HOSTNAME, ImageSpec, RbacRule, Toleration

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
SECRET_NAME = r"([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)"
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


class _Text:
    """The request being read: `lower` for matching, `raw` for case-sensitive values."""

    def __init__(self, text: str) -> None:
        self.raw = " " + " ".join(text.replace("\u00a0", " ").split()) + " "
        self.lower = self.raw.lower()

    def take(self, pattern: str, flags: int = 0, raw: bool = False) -> list[re.Match[str]]:
        """All matches of `pattern`, removed from the text so later extractors skip them."""
        source = self.raw if raw else self.lower
        found = list(re.finditer(pattern, source, flags))
        for m in reversed(found):
            self._blank(m.start(), m.end())
        return found

    def find(self, pattern: str, flags: int = 0, raw: bool = False) -> re.Match[str] | None:
        return re.search(pattern, self.raw if raw else self.lower, flags)

    def _blank(self, start: int, end: int) -> None:
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
    if t.take(r"\b(?:cron\s*job|cronjob|scheduled\s+job|cron)\b") or facts.schedule:
        facts.workload = "CronJob"
    elif t.take(r"\b(?:daemon\s*set|on\s+(?:every|each|all)\s+nodes?|per\s+node|one\s+per\s+node)\b"):
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
    for m in t.take(rf"\b{env_name}\s+from\s+(?:the\s+)?(?:existing\s+)?secret\s+{SECRET_NAME}(?:\s+key\s+([\w.-]+))?",
                    raw=True, flags=re.I):  # fmt: skip
        facts.secret_envs.append(
            SecretEnv(env=m.group(1), secret=m.group(2).lower(), key=m.group(3) or m.group(1))
        )
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
    for m in re.finditer(r"(?<![\w./@:-])([a-zA-Z0-9][\w.\-/:@]*[\w])(?=[\s,;)]|$)", t.raw):
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
        r"\b(?:cert[- ]manager\s+)?(?:cluster[- ]?)?issuer\s+[`\"']?([a-z0-9][a-z0-9.-]*[a-z0-9])"
    ):
        facts.cert_manager_issuer, facts.tls = m.group(1), True
        t.take(re.escape(m.group(0)))
    if m := t.find(r"\b(letsencrypt(?:-[a-z0-9-]+)?)\b"):
        facts.cert_manager_issuer = facts.cert_manager_issuer or m.group(1)
        facts.tls = True
        t.take(re.escape(m.group(0)))
    if m := t.find(r"\btls\s+secret\s+([a-z0-9][a-z0-9.-]*[a-z0-9])"):
        facts.tls_secret, facts.tls = m.group(1), True
        t.take(re.escape(m.group(0)))
    if t.take(r"\b(?:tls|https|cert[- ]manager|certificate)\b"):
        facts.tls = True
    gw_ns = r"(?:\s+in\s+(?:the\s+)?(?:namespace\s+([a-z0-9-]+)|([a-z0-9-]+)\s+namespace))?"
    if m := t.find(
        rf"\bgateway\s+(?:named\s+|called\s+)?[`\"']?(?!api\b|class\b)([a-z0-9][a-z0-9-]*[a-z0-9]){gw_ns}"
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
    if m := t.find(r"\b(?:ingress\s*class|class)\s+(?:name\s+)?[`\"']?([a-z0-9][a-z0-9.-]*[a-z0-9])"):
        facts.ingress_class = m.group(1)
        facts.exposure = facts.exposure or "ingress"
        t.take(re.escape(m.group(0)))
    elif m := t.find(r"\b(nginx|traefik|haproxy|contour|alb|gce|kong|istio)[- ]ingress(?:[- ]class)?\b"):
        if m.group(1) == "traefik" and facts.exposure is None:
            facts.exposure = "ingressroute"
        else:
            facts.ingress_class, facts.exposure = m.group(1), facts.exposure or "ingress"
        t.take(re.escape(m.group(0)))
    if facts.exposure is None and t.take(r"\btraefik\b"):
        facts.exposure = "ingressroute"
    if t.take(r"\bingress(?:-nginx)?\b") and facts.exposure is None:
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
    if no_exposure:
        facts.exposure = "none"
    elif facts.hosts and facts.exposure is None:
        facts.exposure = "ingress"


def _extract_env(t: _Text, facts: RequestFacts) -> None:
    value = r"(\"[^\"]*\"|'[^']*'|[^\s,;]+)"
    for m in t.take(rf"(?<![\w.-])([A-Za-z_][A-Za-z0-9_]*)={value}", raw=True):
        name, val = m.group(1), m.group(2).strip("\"'")
        if name.isupper() or t.lower[max(0, m.start() - 25) : m.start()].rstrip().endswith(
            ("env", "envs", "variable", "variables", ",", "and")
        ):
            facts.env[name] = val
    for name in list(facts.env):
        if not name.isupper() and name.lower() in {"replicas", "port", "name"}:
            del facts.env[name]


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


def _extract_scaling(t: _Text, facts: RequestFacts) -> None:
    if m := t.find(rf"\b(?:between|from)\s+{NUMBER}\s+(?:and|to)\s+{NUMBER}\s+(?:replicas|pods|instances)\b"):
        facts.autoscale, facts.autoscale_min, facts.autoscale_max = (
            True,
            _number(m.group(1)),
            _number(m.group(2)),
        )
        t.take(re.escape(m.group(0)))
    if m := t.find(
        rf"\b(?:auto-?scal\w*|hpa)\s+(?:from\s+{NUMBER}\s+)?(?:up\s+)?(?:to|max(?:imum)?|up\s+to)\s+{NUMBER}"
    ):
        facts.autoscale = True
        if m.group(1):
            facts.autoscale_min = _number(m.group(1))
        facts.autoscale_max = _number(m.group(2))
        t.take(re.escape(m.group(0)))
    if t.take(r"\b(?:no|without|disable)\s+(?:auto-?scal\w*|hpa)\b"):
        facts.autoscale_off = True
    elif t.take(r"\b(?:auto-?scal\w*|hpa)\b"):
        facts.autoscale = True
    if m := t.find(rf"\b{NUMBER}\s+(?:replicas?|pods|instances|copies)\b") or t.find(
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
    size = r"(\d+(?:\.\d+)?\s?(?:gi|gb|mi|mb|ti|tb|g|t))"
    nouns = r"(?:persistent\s+)?(?:storage|volume|disk|pvc|persistence|data)"
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
        r"\b(?:persist\w*|storage|volume|data)\s+(?:\w+\s+)?(?:at|on|mounted\s+at|in|under)\s+(/[\w./-]*)"
    ):
        facts.persistence, facts.persistence_path = True, facts.persistence_path or m.group(1)
        t.take(re.escape(m.group(0)))
    if m := t.find(r"\bstorage\s*class\s+([a-z0-9][a-z0-9.-]*)"):
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
        r"\b(?:named|called|name\s+it|chart\s+name)\s+[`\"']?([a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])", t.lower
    ):
        before = t.lower[max(0, m.start() - 12) : m.start()]
        if m.group(1) not in NOT_NAMES and not re.search(
            r"(gateway|secret|issuer|class|account)\s+$", before
        ):
            facts.name = m.group(1)
            t.take(re.escape(m.group(0)))
            return


def _extract_app(t: _Text, facts: RequestFacts) -> None:
    text = re.sub(
        r"\b(?:every|each|all|per|worker|gpu|arm64|amd64|linux|windows)\s+nodes?\b|\bnodes\b", " ", t.lower
    )
    text = re.sub(r"\bprometheus\s+(?:metrics|operator|scrap\w*|annotations?)\b", " ", text)
    best: tuple[int, int, str] | None = None
    for alias, entry in catalog_aliases().items():
        m = re.search(rf"(?<![\w./-]){re.escape(alias)}(?![\w/-]|\.\w)", text)
        if m and (best is None or (m.start(), -len(alias)) < (best[0], best[1])):
            best = (m.start(), -len(alias), entry.name)
    if best is not None:
        facts.app = best[2]
    elif facts.image is None and (m := re.match(r"^\s*([a-z0-9][a-z0-9-]*[a-z0-9])\s*$", text)):
        facts.name = facts.name or m.group(1)


WORKER_KINDS = {"celery": ["celery", "worker"], "sidekiq": ["bundle", "exec", "sidekiq"], "rq": ["rq", "worker"],
                "dramatiq": [], "resque": [], "background": [], "queue": []}  # fmt: skip
COMPONENT_ROLES = r"(worker|beat|scheduler|consumer)"


def _extract_components(t: _Text, facts: RequestFacts) -> None:
    """`with a celery worker running "celery -A shop worker"`, `plus a sidekiq worker`, `and a worker component`."""
    kinds = "|".join(WORKER_KINDS)
    command = r"(?:\s+(?:running|that\s+runs|which\s+runs|runs|with\s+command|command)\s*:?\s*[`\"']([^`\"']+)[`\"'])?"
    pattern = rf"\b(?:with|plus|and|also)\s+(?:an?\s+|one\s+)?(?:({kinds})\s+)?{COMPONENT_ROLES}(?:\s+component)?s?\b{command}"
    for m in re.finditer(pattern, t.raw, flags=re.I):
        kind, role, quoted = (m.group(1) or "").lower(), m.group(2).lower(), m.group(3)
        if kind == "celery" and role == "beat":
            default = ["celery", "beat"]
        else:
            default = list(WORKER_KINDS.get(kind, []))
        name = role if role not in {c.name for c in facts.components} else f"{kind or 'extra'}-{role}"
        facts.components.append(
            ComponentFact(
                name=name, command=shlex.split(quoted) if quoted else default, words=m.group(0).strip()
            )
        )
    if facts.components:
        t.take(pattern, flags=re.I, raw=True)


DEPENDENCY_LINKS = (r"with|and|needs?|needing|using|uses|backed\s+by|talks?\s+to|connects?\s+to|connected\s+to|"
                    r"plus|requires?|depends\s+on|stores?\s+(?:data\s+)?in")  # fmt: skip
DEPENDENCY_NOUNS = r"(?:\s+(?:database|db|cache|broker|queue|server|instance|cluster|store))?"


def _extract_dependencies(t: _Text, facts: RequestFacts) -> None:
    """`with postgres`, `needs a postgres database and a redis cache`, `backed by mysql`, `an external postgres`.

    Only services the catalog knows how to connect to count; the words before decide that the
    service is something the workload talks to, not the workload itself.
    """
    aliases = dependency_aliases()
    names = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
    service = rf"(?:an?\s+|the\s+)?(external|existing|managed|own)?\s*({names})(?![\w-]){DEPENDENCY_NOUNS}"
    head = re.compile(rf"\b(?:{DEPENDENCY_LINKS})\s+{service}")
    more = re.compile(rf"\s*(?:,|and|&|plus|\+)\s+{service}")
    spans: list[tuple[int, int]] = []
    for m in head.finditer(t.lower):
        found = [m]
        end = m.end()
        while follow := more.match(t.lower, end):
            found.append(follow)
            end = follow.end()
        for one in found:
            app = aliases[one.group(2)]
            if any(d.app == app for d in facts.dependencies):
                continue
            existing = one.group(1) is not None  # external, existing, managed, own: it already runs
            facts.dependencies.append(
                DependencyFact(app=app, existing=existing, secret=None, words=one.group(0).strip())
            )
        spans.append((m.start(), end))
    for start, end in reversed(spans):
        t._blank(start, end)


EXTRACTORS: list[Callable[[_Text, RequestFacts], None]] = [
    _extract_components,
    _extract_quoted_commands,
    _extract_secrets,
    _extract_dependencies,
    _extract_name,
    _extract_image,
    _extract_schedule,
    _extract_workload,
    _extract_scheduling,
    _extract_rbac,
    _extract_exposure,
    _extract_app,
    _extract_env,
    _extract_metrics,
    _extract_resources,
    _extract_persistence,
    _extract_scaling,
    _extract_network_policy,
    _extract_ports,
]


def parse_request(text: str) -> RequestFacts:
    """Read the facts a request states; anything it does not state stays None/empty."""
    facts = RequestFacts()
    working = _Text(text)
    for extract in EXTRACTORS:
        extract(working, facts)
    if facts.schedule and facts.workload in (None, "Job"):
        facts.workload = "CronJob"
    return facts
