FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
COPY . .
# collectstatic needs settings that start; the real values come from the environment at run time.
RUN DJANGO_SETTINGS_MODULE=govmedia.settings.production SECRET_KEY=build-only-$(python -c "import secrets;print(secrets.token_hex(32))") \
    ALLOWED_HOSTS=build python manage.py collectstatic --noinput
RUN useradd --create-home govmedia && mkdir -p /data/media && chown govmedia /data/media
USER govmedia
EXPOSE 8000
