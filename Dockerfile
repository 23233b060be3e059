# The app in a container: slim Python, a non-root user, the same install as CI (.ci/run) without
# the test tools. Build: docker build -t ticket-desk .   With PostgreSQL: docker compose up.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 app
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot bot
COPY manifests manifests
COPY forms.example.yml .env.example ./
# Editable, as in CI: the manifest command reads manifests/ beside the package.
RUN pip install -e . && mkdir -p /app/data && chown app:app /app/data

USER app
# SQLite by default, kept in this volume; set DATABASE_URL for PostgreSQL (compose.yaml does).
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]
# SIGTERM stops it gracefully: acknowledged work finished, leases given back, exit 0.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
