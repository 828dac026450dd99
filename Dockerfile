# The production image: one image, three roles (web, worker, beat) chosen by the command.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# collectstatic and compilemessages need settings but no database or secrets of their own.
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --no-input -v0 \
    && SECRET_KEY=build-only DEBUG=0 python manage.py compilemessages -v0
RUN useradd --create-home siyu && mkdir -p /app/var && chown siyu /app/var
USER siyu
EXPOSE 8000
CMD ["gunicorn", "crm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
