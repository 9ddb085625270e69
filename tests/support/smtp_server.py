"""A real SMTP server for integration tests, run by tests/support/smtp.rs.

Accepted messages are handed to the test's private Dovecot over LMTP, so a test checks what its
client sent by looking at hank's mailbox `Delivered` rather than at a mock. The envelope is kept
in two prepended headers, because LMTP delivery to one fixed recipient loses it:

    X-Test-Mail-From: <envelope sender; empty for the null sender>
    X-Test-Rcpt-To: <envelope recipients, comma-separated>

Only after LMTP accepted the message does DATA get its 250 (451 if LMTP fails), so a client that
saw 250 can count on the message being in the mailbox.

Controls and records live in the working directory:

- `reply`, if present, is read at every DATA: its lines are the full reply (e.g.
  `550 5.7.1 Rejected by policy`, or several lines for a multi-line reply) that DATA gets instead
  of delivery. The harness writes it atomically (rename), so it is never read half-written.
- `transactions.jsonl` gets one JSON object per DATA, written before the reply is sent.

Exit codes the harness acts on: 3 when aiosmtpd is missing, 4 when the port is taken. Once
listening, it prints `listening on 127.0.0.1:PORT` on stdout. SIGTERM closes the listener,
answers open connections with 421 and exits with 0.
"""

import argparse
import asyncio
import errno
import json
import logging
import os
import signal
import smtplib
import ssl
import sys
import warnings
from email.parser import BytesHeaderParser

try:
    from aiosmtpd.smtp import SMTP, AuthResult
except ImportError:
    print("aiosmtpd is missing: apt-get install -y python3-aiosmtpd", file=sys.stderr)
    sys.exit(3)

REPLY_FILE = "reply"
TRANSACTIONS_FILE = "transactions.jsonl"
LMTP_TIMEOUT = 10


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", choices=["none", "starttls", "implicit"], required=True)
    parser.add_argument("--certs", required=True, help="directory with server.pem and server.key")
    parser.add_argument("--username", help="require AUTH with this username (and --password)")
    parser.add_argument("--password")
    parser.add_argument("--lmtp", required=True, help="Dovecot's LMTP unix socket")
    parser.add_argument("--deliver-to", required=True, help="LMTP recipient for every message")
    return parser.parse_args()


class Handler:
    def __init__(self, args):
        self.args = args

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # aiosmtpd advertises AUTH (with no mechanisms left, even as a bare "250-AUTH") whenever
        # TLS allows it; a server without AUTH must not.
        session.host_name = hostname
        if self.args.username is None:
            responses = [line for line in responses if not line[4:].upper().startswith("AUTH")]
        return responses

    async def handle_DATA(self, server, session, envelope):
        mail_from = "" if envelope.mail_from == "<>" else envelope.mail_from
        injected = read_reply()
        if injected is not None:
            reply = injected
        else:
            loop = asyncio.get_running_loop()
            reply = await loop.run_in_executor(None, self.deliver, mail_from, envelope)
        record = {
            "accepted": reply.startswith("2"),
            "mail_from": mail_from,
            "rcpt_to": list(envelope.rcpt_tos),
            "reply": reply,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "username": login_of(session),
            "message_id": message_id(envelope.original_content),
        }
        with open(TRANSACTIONS_FILE, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        logging.info("transaction: %s", json.dumps(record))
        return reply

    def deliver(self, mail_from, envelope):
        headers = f"X-Test-Mail-From: {mail_from}\r\nX-Test-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        content = headers.encode("utf-8") + envelope.original_content
        try:
            with smtplib.LMTP(self.args.lmtp, timeout=LMTP_TIMEOUT) as lmtp:
                lmtp.sendmail(mail_from, [self.args.deliver_to], content)
        except (smtplib.SMTPException, OSError) as error:
            logging.error("LMTP delivery failed: %r", error)
            return "451 4.3.0 Local delivery failed"
        return "250 2.0.0 OK: delivered"


def read_reply():
    try:
        with open(REPLY_FILE, encoding="utf-8") as file:
            lines = [line.rstrip("\r") for line in file.read().splitlines() if line.strip()]
    except FileNotFoundError:
        return None
    if not lines:
        return None
    # In a multi-line reply every line but the last has a "-" after the code.
    code = lines[-1][:3]
    return "\r\n".join([f"{code}-{line[4:]}" for line in lines[:-1]] + [lines[-1]])


def login_of(session):
    if not session.authenticated or session.auth_data is None:
        return None
    return session.auth_data.login.decode("utf-8", "replace")


def message_id(content):
    value = BytesHeaderParser().parsebytes(content).get("Message-ID", "")
    return " ".join(str(value).split())


def authenticator(username, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == username.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return check


class TrackedSMTP(SMTP):
    """Remembers its open connections, so that shutdown can tell them goodbye."""

    open_connections = set()

    def connection_made(self, transport):
        super().connection_made(transport)
        TrackedSMTP.open_connections.add(self)

    def connection_lost(self, error):
        TrackedSMTP.open_connections.discard(self)
        super().connection_lost(error)


async def serve(args):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(os.path.join(args.certs, "server.pem"), os.path.join(args.certs, "server.key"))
    handler = Handler(args)
    auth = args.username is not None
    implicit = args.tls == "implicit"

    def factory():
        return TrackedSMTP(
            handler,
            # Without it, aiosmtpd asks DNS for the FQDN on every connection.
            hostname="localhost",
            ident="screener test SMTP",
            tls_context=context if args.tls == "starttls" else None,
            # A connection with implicit TLS is secure, but aiosmtpd only knows about STARTTLS.
            auth_require_tls=args.tls == "starttls",
            auth_required=auth,
            authenticator=authenticator(args.username, args.password) if auth else None,
            timeout=60,
        )

    loop = asyncio.get_running_loop()
    try:
        server = await loop.create_server(
            factory, host="127.0.0.1", port=args.port, ssl=context if implicit else None, reuse_address=True
        )
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(f"port {args.port}: {error}", file=sys.stderr)
            sys.exit(4)
        raise

    stopping = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    loop.add_signal_handler(signal.SIGINT, stopping.set)
    print(f"listening on 127.0.0.1:{args.port}", flush=True)
    # The harness stops reading after that line, so a later write to the pipe would fail.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    await stopping.wait()
    logging.info("SIGTERM: shutting down")
    server.close()
    for connection in list(TrackedSMTP.open_connections):
        if connection.transport is not None:
            connection.transport.write(b"421 4.3.2 Service shutting down\r\n")
            connection.transport.close()
    # Lets the transports flush their goodbyes.
    await asyncio.sleep(0.05)


def main():
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # aiosmtpd warns when AUTH is allowed without TLS: that is exactly what the `none` mode is for.
    warnings.simplefilter("ignore")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
