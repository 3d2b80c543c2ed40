# syntax=docker/dockerfile:1
# k8s-autopilot GitHub App server: `autopilot serve` on port 8080 (the worker is the same image with
# the command `worker`). See docs/app.md.
#
# Build (HELM_SHA256 is required: copy it from the `.sha256sum` file published next to the Helm
# release tarball, https://get.helm.sh/helm-<version>-linux-<arch>.tar.gz.sha256sum):
#   docker build --build-arg HELM_SHA256=<sha256 of helm-v4.2.3-linux-amd64.tar.gz> -t k8s-autopilot .
# Pin the base image by digest in production:
#   --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<digest>

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder

# Helm CLI matching the embedded Helm SDK version (helm-python-sdk bundles Helm 4.2.3). The checksum has
# no default on purpose: a build without a verified Helm binary must fail, not trust the network.
ARG HELM_VERSION=v4.2.3
ARG HELM_SHA256
# A mirror that serves the same file names as get.helm.sh (air-gapped builds); the checksum still applies.
ARG HELM_MIRROR=https://get.helm.sh
# Set by BuildKit from --platform; amd64 when built without it.
ARG TARGETARCH

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

WORKDIR /tmp/helm
RUN arch="${TARGETARCH:-amd64}" \
 && if [ -z "${HELM_SHA256}" ]; then \
      echo "HELM_SHA256 is not set: pass --build-arg HELM_SHA256=<sha256 of helm-${HELM_VERSION}-linux-${arch}.tar.gz> (from https://get.helm.sh/helm-${HELM_VERSION}-linux-${arch}.tar.gz.sha256sum)" >&2; \
      exit 1; \
    fi \
 && python -c "import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], 'helm.tar.gz')" \
      "${HELM_MIRROR}/helm-${HELM_VERSION}-linux-${arch}.tar.gz" \
 && echo "${HELM_SHA256}  helm.tar.gz" | sha256sum --check --strict - \
 && tar -xzf helm.tar.gz "linux-${arch}/helm" \
 && install -m 0755 "linux-${arch}/helm" /usr/local/bin/helm \
 && /usr/local/bin/helm version --short

# Same install as scripts/setup.sh (pip install from pyproject), without the dev extras, into a venv
# that is copied whole into the runtime stage.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY agents ./agents
COPY bot ./bot
RUN python -m venv /opt/autopilot \
 && /opt/autopilot/bin/python -m pip install --no-cache-dir --disable-pip-version-check .


FROM ${PYTHON_IMAGE} AS runtime

# git: the bot clones, commits and pushes chart branches. ca-certificates: HTTPS to GitHub.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 autopilot \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/autopilot --shell /usr/sbin/nologin autopilot \
 && mkdir -p /var/lib/autopilot \
 && chown 10001:10001 /var/lib/autopilot

COPY --from=builder /usr/local/bin/helm /usr/local/bin/helm
COPY --from=builder /opt/autopilot /opt/autopilot

ENV PATH=/opt/autopilot/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/var/lib/autopilot \
    AUTOPILOT_DATA_DIR=/var/lib/autopilot \
    GIT_TERMINAL_PROMPT=0

VOLUME ["/var/lib/autopilot"]
WORKDIR /var/lib/autopilot
USER 10001:10001

EXPOSE 8080
# No curl in slim images: Python asks the server's health route; any error or non-2xx fails the check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

ENTRYPOINT ["autopilot"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
