# The API image: build the locked environment in one stage, run it slim and unprivileged in the next.
FROM python:3.11-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY alembic.ini ./
COPY alembic ./alembic
COPY seed ./seed
COPY app ./app
RUN uv sync --frozen --no-dev

FROM python:3.11-slim-bookworm
# OCR for scanned attachments: Tesseract and the region's language packs (Debian's, kept current by
# the distribution's security updates rather than pinned).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz \
       tesseract-ocr-kir tesseract-ocr-uzb tesseract-ocr-uzb-cyrl tesseract-ocr-tgk tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app
WORKDIR /app
COPY --from=build --chown=10001:10001 /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=2 \
    MIGRATE_ON_START=0
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'], timeout=2)"]
# Migrations run as their own step (`migrantkb migrate`), or here when MIGRATE_ON_START=1.
CMD ["sh", "-c", "if [ \"$MIGRATE_ON_START\" = 1 ]; then migrantkb migrate; fi; exec migrantkb serve"]
