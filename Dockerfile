# The web and worker image of the production-like stack (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

WORKDIR /app
COPY requirements.txt .
# WeasyPrint (the PDF chapter) lays out text with Pango and embeds the DejaVu fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN pip install -r requirements.txt && useradd --create-home --uid 1000 jsna
COPY . .
# collectstatic needs settings to import; this build-time key is never used at run time.
RUN SECRET_KEY=build-only-not-used-at-runtime python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R jsna:jsna /app/media
USER jsna
EXPOSE 8000
CMD ["gunicorn", "jsna.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
