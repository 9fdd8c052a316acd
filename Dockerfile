# Portalql server image. Build from the repository root:
#   docker build -t portalql .
# BASE: any Debian-like image with python3 (>= 3.11) and the venv module,
# e.g. --build-arg BASE=registry.internal/python:3.12-slim
ARG BASE=python:3.12-slim

FROM ${BASE} AS build
WORKDIR /src
# The locked versions, each checked against its hash (requirements.lock: the server without the
# test tools; `python3 dev.py upgrade` rewrites it), then the project itself with the locked setuptools.
COPY requirements.lock .
RUN python3 -m venv /venv \
 && /venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY . .
RUN /venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation .

FROM ${BASE}
RUN groupadd --gid 10001 portal \
 && useradd --uid 10001 --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin --no-log-init portal \
 && mkdir -p /app/uploads \
 && chown -R portal:portal /app
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH \
    PORTALQL_ENV=production \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
# Uploads (return photos) go to ./uploads = /app/uploads: mount a volume there.
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python3", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"]
CMD ["portalql", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
