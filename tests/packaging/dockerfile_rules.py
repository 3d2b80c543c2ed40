"""Properties the k8s-autopilot image must keep, read from the Dockerfile with dockerfile-parse:
multi-stage, non-root, health-checked, pinned and checksum-verified, no secrets baked in."""

from __future__ import annotations

import io
import re

from dockerfile_parse import DockerfileParser
from pydantic import BaseModel

SECRET_NAME = re.compile(r"(SECRET|TOKEN|PASSWORD|PRIVATE_KEY|API_KEY|CREDENTIAL)", re.IGNORECASE)


class Instruction(BaseModel):
    """One Dockerfile instruction with the build stage it belongs to (0 = first FROM)."""

    stage: int
    instruction: str
    value: str


def instructions(text: str) -> list[Instruction]:
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    found, stage = [], -1
    for item in parser.structure:
        if item["instruction"] == "FROM":
            stage += 1
        if item["instruction"] != "COMMENT":
            found.append(Instruction(stage=stage, instruction=item["instruction"], value=item["value"]))
    return found


def parent_images(text: str) -> list[str]:
    """Base image of every stage, with ARG defaults substituted."""
    return list(DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8"))).parent_images)


def arg_defaults(text: str) -> dict[str, str | None]:
    """ARG name -> default (None when the ARG has no default and must be passed with --build-arg)."""
    args: dict[str, str | None] = {}
    for ins in instructions(text):
        if ins.instruction == "ARG":
            name, sep, default = ins.value.partition("=")
            args[name.strip()] = default.strip() if sep else None
    return args


def dockerfile_problems(text: str) -> list[str]:
    """Everything that breaks the image's security contract; an empty list means it holds."""
    problems = []
    found = instructions(text)
    stages = max((i.stage for i in found), default=-1) + 1
    final = [i for i in found if i.stage == stages - 1]
    if stages < 2:
        problems.append(f"{stages} build stage(s): build tools and downloads belong in a builder stage")
    for image in parent_images(text):
        name, _, tag = image.rpartition(":") if "@" not in image else (image, "", "digest")
        if not name or tag in ("", "latest") or "/" in tag:
            problems.append(f"base image {image!r} is not pinned to a version tag or digest")
    users = [i.value.strip() for i in final if i.instruction == "USER"]
    if not users:
        problems.append("the final stage has no USER: the server would run as root")
    elif users[-1].split(":")[0] in ("0", "root"):
        problems.append(f"the final stage runs as {users[-1]!r}: use an unprivileged uid")
    if not any(i.instruction == "HEALTHCHECK" for i in final):
        problems.append("the final stage has no HEALTHCHECK")
    for ins in found:
        if ins.instruction == "ADD" and re.search(r"https?://", ins.value):
            problems.append(f"ADD {ins.value!r} downloads without a checksum: download in RUN and verify it")
        if ins.instruction == "ENV":
            for name in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", ins.value):
                if SECRET_NAME.search(name):
                    problems.append(f"ENV {name} bakes a secret into the image: pass it at run time")
        downloads = re.search(r"(curl|wget|urlretrieve|urlopen)", ins.value)
        if ins.instruction == "RUN" and downloads and "sha256sum" not in ins.value:
            problems.append(f"RUN downloads without a sha256sum check: {ins.value[:80]!r}")
    return problems
