# ceremony-bot as a container: the installed wheel (not the source tree), a non-root user,
# `ceremony-bot serve` by default, and a HEALTHCHECK on /healthz.
#   docker build -t ceremony-bot .
#   docker run --env-file .env -p 3000:3000 ceremony-bot
# Python 3.12: on 3.11.7 the fan-out crashed in the garbage collector (issue 13, README).

FROM python:3.12-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=3000
RUN useradd --create-home --uid 10001 ceremony
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER ceremony
WORKDIR /home/ceremony
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)"]
ENTRYPOINT ["ceremony-bot"]
CMD ["serve"]
