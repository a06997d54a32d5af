# Integrale toegang: one image for the five services, the werkplek and the migrations.
#   docker build -t integrale-toegang .
#   docker run ... integrale-toegang                       -> toegang service intake
#   docker run ... integrale-toegang service triage        -> toegang service triage
#   docker run ... integrale-toegang migrate               -> toegang migrate
#   docker run ... --entrypoint python integrale-toegang -m werkplek   -> the werkplek (port 8000)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Dependencies first (pinned in pyproject.toml), so a code change does not reinstall them.
WORKDIR /tmp/src
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The project itself: packages toegang, shared, services (with their Alembic migrations), werkplek (with
# its templates and vendored static files).
COPY README.md ./
COPY toegang ./toegang
COPY shared ./shared
COPY services ./services
COPY werkplek ./werkplek
RUN pip install --no-cache-dir . \
    && cd / && rm -rf /tmp/src

# Gemeente configuration is data, not a package: it lives next to the working directory.
WORKDIR /app
COPY config/gemeenten /app/config/gemeenten

RUN groupadd --system --gid 10001 toegang \
    && useradd --system --uid 10001 --gid toegang --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin toegang
USER toegang:toegang

ENV TOEGANG_HOST=0.0.0.0 \
    TOEGANG_CONFIG_DIR=/app/config/gemeenten

EXPOSE 8000 8001 8002 8003 8004 8005

# /health is 200 only when the database and NATS connections are up. The port is TOEGANG_PORT (or PORT),
# else the service's default port, found from the command of PID 1 (`toegang service NAME`; the werkplek's,
# `python -m werkplek`, with TOEGANG_WERKPLEK_PORT).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; poorten = {'intake': 8001, 'triage': 8002, 'arrangement': 8003, 'signalering': 8004, 'stuurinformatie': 8005, 'werkplek': 8000}; args = open('/proc/1/cmdline', 'rb').read().decode(errors='replace').split(chr(0)); naam = next((a for a in args if a in poorten), 'intake'); poort = (naam == 'werkplek' and os.environ.get('TOEGANG_WERKPLEK_PORT')) or os.environ.get('TOEGANG_PORT') or os.environ.get('PORT') or poorten[naam]; urllib.request.urlopen(f'http://127.0.0.1:{poort}/health', timeout=4)"]

ENTRYPOINT ["toegang"]
CMD ["service", "intake"]
