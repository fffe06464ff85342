# The dashboard as a container (issue #8; docs/hosting.md). Build: docker build -t kpi-dashboard .
# Run one replica:  docker run -p 8501:8501 -e METRICS_DB=... -e METRICS_DATA_PATH=/lake -v /srv/lake:/lake \
#                   -v $PWD/.streamlit/secrets.toml:/app/.streamlit/secrets.toml:ro kpi-dashboard
# Health check: GET /_stcore/health -> "ok".
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    METRICS_EXTENSION_DIR=/app/.duckdb-extensions \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY app.py ./
COPY .streamlit/config.toml .streamlit/config.toml
COPY metrics metrics
COPY queries queries
COPY pages pages
COPY data data

# Unprivileged user; it owns only what it writes (the default file database, the extension directory).
RUN useradd --create-home --uid 10001 kpi \
    && mkdir -p "$METRICS_EXTENSION_DIR" \
    && chown -R kpi /app/data "$METRICS_EXTENSION_DIR"
USER kpi

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"

CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", \
     "--server.headless=true", "--server.fileWatcherType=none"]
