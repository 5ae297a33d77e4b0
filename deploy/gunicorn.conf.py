"""gunicorn settings for one host of the portal (docs/deploy.md): ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Every host runs the same file. The app keeps nothing per process that another host would need: sessions are signed
cookies (one SECRET_KEY for all hosts), rate limits live in Redis (RATELIMIT_STORAGE_URI), photos on the shared
UPLOAD_DIR, and everything else in PostgreSQL.
"""
import multiprocessing
import os

# the address the load balancer (nginx) forwards to: this host's private address, e.g. GUNICORN_BIND=10.0.0.11:8000
# (firewalled: only the balancer may connect)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# pages are short database-bound requests: two workers per core, plus one
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# a few threads per worker keep a slow client (a weak phone connection, behind nginx's buffering) from blocking one
worker_class = "gthread"
threads = 4
# a photo upload on a slow line, or a long export, may take a while; nginx's proxy_read_timeout matches this
timeout = 60
graceful_timeout = 30
keepalive = 5
# a worker is replaced after this many requests (with jitter, so that they do not all restart at once)
max_requests = 2000
max_requests_jitter = 200
# each worker creates its own database pool after the fork (no preload: connections are never shared across forks)
preload_app = False
# logs to stdout/stderr: systemd's journal keeps them
accesslog = "-"
errorlog = "-"
# the client's address and scheme come from nginx's X-Forwarded-* headers, read by the app itself (PROXY_FIX=1)
