"""A real SMTP server on loopback for tests (aiosmtpd), which keeps what it receives."""

import email
import email.policy
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        # An SMTP reply such as "451 4.3.0 Try again later" makes the server
        # refuse recipients or message data until it is set back to None.
        self.refuse_recipients_with: str | None = None
        self.refuse_data_with: str | None = None
        # Like refuse_data_with, but for the next message only.
        self.refuse_next_data_with: str | None = None
        # smtplib sends one EHLO per connection, before its first message, so
        # this counts the connections that sent or tried to send mail.
        self.ehlo_count = 0
        self.noop_count = 0
        # A reply other than "250 OK" to NOOP, until set back to None.
        self.noop_reply: str | None = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd hook name
        self.ehlo_count += 1
        # aiosmtpd 1.4 expects a 5-argument EHLO hook to record the client's name.
        session.host_name = hostname
        return responses

    async def handle_NOOP(self, server, session, envelope, arg) -> str:  # noqa: N802 - aiosmtpd hook name
        self.noop_count += 1
        return self.noop_reply or "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:  # noqa: N802 - aiosmtpd hook name
        if self.refuse_recipients_with:
            return self.refuse_recipients_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd hook name
        if self.refuse_data_with:
            return self.refuse_data_with
        if self.refuse_next_data_with:
            reply, self.refuse_next_data_with = self.refuse_next_data_with, None
            return reply
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class LoopbackSMTPServer:
    """Start, stop and restart an SMTP server on 127.0.0.1 at a fixed port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = _Inbox()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


def text_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def emailed_password(message: EmailMessage) -> str:
    """Return the password from a new-password email's text part."""
    lines = [line.strip() for line in text_body(message).splitlines()]
    index = lines.index("Your new password is:")
    return next(line for line in lines[index + 1 :] if line)
