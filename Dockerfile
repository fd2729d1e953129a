# Production image: slim base, non-root user, gunicorn; `hub init` runs on start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HUB_INSTANCE_DIR=/var/lib/hub

RUN useradd --system --uid 10001 --home-dir /var/lib/hub --create-home hub

WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY connectors ./connectors
COPY schemas ./schemas
COPY jobs ./jobs
RUN pip install . && rm -rf /root/.cache

USER hub
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["sh", "-c", "hub init && exec hub serve --host 0.0.0.0 --port 8000 --workers ${HUB_WEB_WORKERS:-2}"]
