"""gunicorn settings for the portal: `gunicorn -c config/gunicorn.conf.py`.

Each value can be changed with the environment variable named beside it.
"""

import multiprocessing
import os

# Address to listen on; put a TLS-terminating proxy in front of it.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sign-in spends most of its time in Argon2 (CPU), so processes, not threads.
workers = int(
    os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1))
)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Seconds a request may run before the worker is restarted; the access
# review export streams and may run longer, so raise it for large exports.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Restart workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Proxies whose X-Forwarded-Proto gunicorn believes (comma-separated IPs).
# Django trusts X-Forwarded-For separately, through TRUSTED_PROXY_COUNT.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
accesslog = "-"
errorlog = "-"
# The request line (%(r)s) includes the query string, which is safe to log
# because the portal never puts a password or token in a URL.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
