"""One SMTP connection per worker thread, reused from one email to the next.

Opening a connection costs a TCP handshake, EHLO and, with a relay, STARTTLS
and AUTH. A worker that sends a batch of emails keeps one connection open
instead and checks it with NOOP before each reuse. It opens a new connection
when the check fails, when the open one is EMAIL_CONNECTION_MAX_AGE seconds
old, or when it has been idle for EMAIL_CONNECTION_MAX_IDLE seconds.

Only the NOOP check leads to a silent reconnect. An error after it, while the
message is being sent, is raised to the caller unchanged, because the server
may already have accepted the message and sending it again could deliver it
twice. The connection is then dropped, so the next email opens a new one.

Backends other than Django's SMTP backend (console, locmem) send as before,
with a new backend instance per message.
"""

import logging
import os
import smtplib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# Settings that change where or how the backend connects. A connection opened
# under other values (a test's override_settings, say) is not reused.
CONNECTION_SETTINGS = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_SSL_CERTFILE",
    "EMAIL_SSL_KEYFILE",
    "EMAIL_TIMEOUT",
)

_per_thread = threading.local()


@dataclass
class _OpenConnection:
    backend: SMTPBackend
    settings_key: tuple
    pid: int
    opened_at: float
    last_used_at: float


def send_message(message: EmailMessage) -> None:
    """Send one message, over this thread's open SMTP connection if there is one.

    Raises what the backend raises (smtplib.SMTPException, OSError) and never
    sends the message a second time.
    """
    if not _is_smtp_backend():
        message.send()
        return

    connection = _usable_connection()
    message.connection = connection.backend
    try:
        message.send()
    except BaseException:
        _drop_connection()
        raise
    connection.last_used_at = time.monotonic()


def close_connection() -> None:
    """Close this thread's SMTP connection with QUIT, ignoring any error."""
    connection = getattr(_per_thread, "connection", None)
    _per_thread.connection = None
    if connection is None or connection.pid != os.getpid():
        return
    try:
        connection.backend.close()
    except (smtplib.SMTPException, OSError):
        _close_socket(connection.backend)


def _is_smtp_backend() -> bool:
    return issubclass(import_string(settings.EMAIL_BACKEND), SMTPBackend)


def _usable_connection() -> _OpenConnection:
    """Return this thread's connection if it passes every check, else a new one."""
    connection = getattr(_per_thread, "connection", None)
    if connection is None:
        return _open_connection()

    if _is_stale(connection):
        _drop_connection()
    elif _is_past_max_age(connection):
        close_connection()
    elif _answers_noop(connection.backend):
        return connection
    else:
        _drop_connection()
    return _open_connection()


def _open_connection() -> _OpenConnection:
    backend = get_connection(fail_silently=False)
    backend.open()
    now = time.monotonic()
    _per_thread.connection = _OpenConnection(
        backend=backend,
        settings_key=_settings_key(),
        pid=os.getpid(),
        opened_at=now,
        last_used_at=now,
    )
    return _per_thread.connection


def _is_stale(connection: _OpenConnection) -> bool:
    """Return whether the connection must be closed without sending QUIT.

    After a fork, the child's socket is a copy of the parent's. Closing the
    copy leaves the parent's session open, but QUIT would end it. A server or
    firewall may drop an idle connection without notice, and QUIT or NOOP on
    it would then block for EMAIL_TIMEOUT seconds.
    """
    idle = time.monotonic() - connection.last_used_at
    return (
        connection.pid != os.getpid()
        or connection.settings_key != _settings_key()
        or idle >= settings.EMAIL_CONNECTION_MAX_IDLE
    )


def _is_past_max_age(connection: _OpenConnection) -> bool:
    age = time.monotonic() - connection.opened_at
    return age >= settings.EMAIL_CONNECTION_MAX_AGE


def _answers_noop(backend: SMTPBackend) -> bool:
    try:
        code, _reply = backend.connection.noop()
    except (smtplib.SMTPException, OSError) as error:
        log.info(
            "SMTP connection failed the NOOP check with %s; reconnecting",
            type(error).__name__,
        )
        return False
    if code != 250:
        log.info("SMTP server replied %s to NOOP; reconnecting", code)
        return False
    return True


def _drop_connection() -> None:
    """Forget this thread's connection and close its socket without QUIT."""
    connection = getattr(_per_thread, "connection", None)
    _per_thread.connection = None
    if connection is not None:
        _close_socket(connection.backend)


def _close_socket(backend: SMTPBackend) -> None:
    if backend.connection is not None:
        # smtplib.SMTP.close() only closes the socket and does not raise.
        backend.connection.close()
        backend.connection = None


def _settings_key() -> tuple:
    return tuple(getattr(settings, name, None) for name in CONNECTION_SETTINGS)
