# syntax=docker/dockerfile:1
# Finance Tracker: one image for every process (web, worker, migrations, CronJob, traffic sender).
#
#   docker build -t finance-tracker:dev --build-arg GIT_COMMIT="$(git rev-parse --short HEAD)" .
#   docker run --read-only --tmpfs /tmp -p 127.0.0.1:5000:5000 \
#     -e SECRET_KEY="$(openssl rand -hex 32)" -e DATABASE_URL=postgresql://… finance-tracker:dev
#
# It runs as uid 10001 (numeric, so the kubelet can check runAsNonRoot) on a read-only root
# filesystem: only /tmp and the two data paths below are written to.

# ---- build: wheels of the app and of every dependency -------------------------------------------
FROM python:3.11.13-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --wheel-dir /wheels .

# ---- runtime: the wheels installed into a venv, nothing else --------------------------------------
FROM python:3.11.13-slim-bookworm AS runtime
ARG VERSION=0.1.0
ARG GIT_COMMIT=unknown
ARG BUILD_DATE=unknown
LABEL org.opencontainers.image.title="Finance Tracker" \
      org.opencontainers.image.description="A self-hosted personal finance tracker" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_COMMIT}" \
      org.opencontainers.image.created="${BUILD_DATE}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/finance-tracker/finance-tracker" \
      org.opencontainers.image.url="https://github.com/finance-tracker/finance-tracker" \
      org.opencontainers.image.vendor="Finance Tracker maintainers" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11.13-slim-bookworm"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    FINANCE_TRACKER_ENV=production \
    HOST=0.0.0.0 \
    PORT=5000 \
    DATA_DIR=/var/lib/finance-tracker/data \
    UPLOAD_DIR=/var/lib/finance-tracker/uploads \
    GIT_COMMIT=${GIT_COMMIT}

# The wheels are bind-mounted from the build stage, so they never become a layer; pip installs
# into a venv without pip of its own, byte-compiling as it goes (the root filesystem is read-only
# at run time).
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv --without-pip /opt/venv \
    && pip --python /opt/venv/bin/python install --no-cache-dir --no-index --find-links=/wheels \
        /wheels/finance_tracker-*.whl \
    && groupadd --system --gid 10001 finance-tracker \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin finance-tracker \
    && mkdir -p /var/lib/finance-tracker/data /var/lib/finance-tracker/uploads \
    && chown -R 10001:10001 /var/lib/finance-tracker

WORKDIR /var/lib/finance-tracker
USER 10001:10001
# Writable even with --read-only: Docker mounts a volume here unless one is given.
VOLUME ["/var/lib/finance-tracker/data", "/var/lib/finance-tracker/uploads"]
EXPOSE 5000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '5000') + '/healthz', timeout=4)"]

ENTRYPOINT ["finance-tracker"]
# gunicorn on HOST:PORT, WEB_WORKERS processes. Other commands: worker, db upgrade,
# jobs run-recurring.
CMD ["serve", "--production"]
