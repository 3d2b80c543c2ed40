"""apiserver/cronjob-schedule: a CronJob's schedule and timeZone must parse as the API server parses them."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import invalid, rejected
from agents.validate.cron_schedule import schedule_problem, time_zone_problem
from agents.validate.finding import Severity
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mapping


def check(given: RuleInput) -> Iterator[Violation]:
    for cronjob in given.of_kind("CronJob"):
        spec = mapping(cronjob.doc.get("spec"))
        schedule = spec.get("schedule")
        if isinstance(schedule, str):  # missing or not a string: schema/kubernetes
            problem = schedule_problem(schedule)
            if problem is not None:
                where = ("spec", "schedule")
                yield Violation(rejected(cronjob, invalid(where, schedule, problem)), cronjob, where)
        zone = spec.get("timeZone")
        if isinstance(zone, str):
            problem = (
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
                if zone.lower() == "local"
                else time_zone_problem(zone)
            )
            if problem is not None:
                where = ("spec", "timeZone")
                yield Violation(
                    rejected(cronjob, invalid(where, zone, problem)),
                    cronjob,
                    where,
                    hint="use an IANA zone name such as Etc/UTC or Europe/Paris, or leave timeZone unset",
                )


RULE = Rule(
    "apiserver/cronjob-schedule",
    Severity.ERROR,
    "a CronJob schedule must be five cron fields or a macro (@hourly…), its timeZone an IANA zone",
    "write five fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) day-of-week (0-6), "
    "e.g. '0 3 * * *', or @daily; put the time zone in spec.timeZone, not TZ= in the schedule",
    check,
)
