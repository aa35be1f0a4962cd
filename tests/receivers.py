"""Local receivers for notifications: an SMTP server (aiosmtpd) and a webhook (http.server).

Both listen on 127.0.0.1 and keep what they received, for tests to read.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


class _Mailbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        self.received.set()
        return "250 Message accepted for delivery"


def _free_port() -> int:
    # aiosmtpd's Controller checks it is up by connecting to the port it was
    # given, so it cannot be given 0: take one the system hands out, read back.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server():
    """Yields (apprise URL, mailbox)."""
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        url = (f"mailto://127.0.0.1:{controller.port}?mode=insecure"
               "&from=nightly@example.org&to=watchers@example.org")
        yield url, mailbox
    finally:
        controller.stop()


@contextlib.contextmanager
def webhook_receiver():
    """Yields (apprise json:// URL, list of received JSON bodies as bytes)."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            received.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/nightly", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port() -> int:
    """A port on 127.0.0.1 that was just bound and closed: connecting to it is refused."""
    return _free_port()
