"""Sending email: the mail server named by PMF_SMTP_URL, and messages with a plain-text part and
an HTML alternative built from the same paragraphs and lists (everything in the HTML escaped).

`smtp://[user:password@]host[:port]` (port 25 unless given) upgrades the connection with
STARTTLS whenever the server offers it, and will not send a password over a connection that
is not encrypted unless the server is on this machine (a loopback address).
`smtps://[user:password@]host[:port]` (port 465 unless given) is encrypted from the start.
Certificates are checked against the system's authorities (or $SSL_CERT_FILE).
"""

from __future__ import annotations

import html
import ipaddress
import os
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from types import TracebackType
from urllib.parse import unquote, urlsplit

SMTP_URL_ENV = "PMF_SMTP_URL"
SMTP_EXAMPLES = "smtp://user:password@mail.council.gov.uk:587 or smtp://127.0.0.1:1025"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TIMEOUT_SECONDS = 30.0

# A message body: each item a paragraph, or a list of items shown as a bulleted list
Block = str | tuple[str, ...]


class MailProblem(ValueError):
    """The mail settings cannot be used; the message says what is wrong and what would do."""


class NotSent(Exception):
    """The email certainly did not go: the server refused it, or no server could be reached."""


class MaybeSent(Exception):
    """The server stopped answering while the email was being handed over: it may have gone."""


@dataclass(frozen=True)
class SmtpUrl:
    """Where to send email, read from PMF_SMTP_URL."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @property
    def implicit_tls(self) -> bool:
        """Whether the connection is encrypted from the start (smtps://)."""
        return self.scheme == "smtps"

    def shown(self) -> str:
        """The URL without its password, for messages and logs."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}:{self.port}"


def smtp_url_from_env() -> str | None:
    """PMF_SMTP_URL as this process has it, or None when it is unset or empty."""
    value = os.environ.get(SMTP_URL_ENV, "").strip()
    return value or None


def parse_smtp_url(text: str) -> SmtpUrl:
    """Read `smtp://[user:password@]host[:port]` or `smtps://...`; MailProblem naming what is
    wrong (never repeating the password)."""
    text = text.strip()
    parts = urlsplit(text)
    shown = _without_password(text)
    if parts.scheme not in DEFAULT_PORTS:
        start = f"starts with '{parts.scheme}://'" if parts.scheme else "has no scheme"
        raise MailProblem(
            f"{SMTP_URL_ENV} '{shown}' {start}; it must start with smtp:// (STARTTLS when the "
            f"server offers it) or smtps:// (encrypted from the start), e.g. {SMTP_EXAMPLES}."
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MailProblem(
            f"{SMTP_URL_ENV} '{shown}' has something after the host and port; write only "
            f"{parts.scheme}://[user:password@]host[:port], e.g. {SMTP_EXAMPLES}."
        )
    if not parts.hostname:
        raise MailProblem(
            f"{SMTP_URL_ENV} '{shown}' names no mail server; write its host after "
            f"{parts.scheme}://, e.g. {SMTP_EXAMPLES}."
        )
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise MailProblem(
            f"{SMTP_URL_ENV} '{shown}' has a port that is not a number from 1 to 65535; "
            f"mail servers listen on 587 (STARTTLS), 465 (smtps://) or 25."
        ) from None
    if port == 0:
        raise MailProblem(f"{SMTP_URL_ENV} '{shown}' has port 0; give the server's port.")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if username and not password:
        raise MailProblem(
            f"{SMTP_URL_ENV} '{shown}' has the user name '{username}' but no password; write "
            f"{parts.scheme}://{username}:PASSWORD@{parts.hostname}, with any @, : or / in the "
            "password written %40, %3A or %2F."
        )
    if password and not username:
        raise MailProblem(
            f"{SMTP_URL_ENV} '{shown}' has a password but no user name; write "
            f"{parts.scheme}://USER:PASSWORD@{parts.hostname}."
        )
    return SmtpUrl(parts.scheme, parts.hostname, port, username, password)


def _without_password(text: str) -> str:
    """The URL as written, its password (if any) replaced by ***."""
    scheme, sep, rest = text.partition("://")
    if not sep or "@" not in rest:
        return text
    credentials, at, host = rest.rpartition("@")
    user, colon, _ = credentials.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}{at}{host}"


def is_loopback(host: str) -> bool:
    """Whether the host is this machine (localhost, 127.x.x.x or ::1)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sender_address(mail_from: str) -> str:
    """The address part of the `mail_from` setting ('pmf@x' from 'PMF <pmf@x>')."""
    return parseaddr(mail_from)[1]


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    data: bytes
    media_type: str  # e.g. "text/html"


def as_text(blocks: Sequence[Block]) -> str:
    """The body as plain text: paragraphs apart, list items as '- ' lines."""
    parts = []
    for block in blocks:
        if isinstance(block, str):
            parts.append(block)
        else:
            parts.append("\n".join(f"- {item}" for item in block))
    return "\n\n".join(parts) + "\n"


def as_html(title: str, blocks: Sequence[Block]) -> str:
    """The body as a small HTML document; every word of it escaped."""
    parts = []
    for block in blocks:
        if isinstance(block, str):
            parts.append(f"<p>{html.escape(block)}</p>")
        else:
            items = "".join(f"<li>{html.escape(item)}</li>" for item in block)
            parts.append(f"<ul>{items}</ul>")
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.4">\n'
        f"{body}\n</body>\n</html>\n"
    )


def build_message(
    *,
    sender: str,
    to: Sequence[str],
    subject: str,
    blocks: Sequence[Block],
    cc: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """One email: a plain-text part, an HTML alternative, and any attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    domain = sender_address(sender).rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(as_text(blocks))
    message.add_alternative(as_html(subject, blocks), subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.media_type.partition("/")
        message.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype.split(";")[0].strip(),
            filename=attachment.filename,
        )
    return message


def envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """The sender and every recipient (To and Cc) of a message, as bare addresses."""
    sender = sender_address(str(message["From"]))
    recipients = []
    for header in ("To", "Cc"):
        value = message.get(header)
        if value is not None:
            recipients += [a.addr_spec for a in getattr(value, "addresses", ())]
    return sender, recipients


class MailServer:
    """A connection to the mail server, opened at the first message and kept for the rest.

    If the server cannot be reached, every message of this run is refused with the same
    reason, rather than waiting for it again each time.
    """

    def __init__(self, url: SmtpUrl, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.url = url
        self.timeout = timeout
        self._conn: smtplib.SMTP | None = None
        self._unreachable: str | None = None

    def __enter__(self) -> MailServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server: NotSent if it certainly did not go, MaybeSent if the
        server stopped answering while it was being handed over."""
        sender, recipients = envelope(message)
        while True:
            kept = self._conn is not None
            conn = self._connected()
            try:
                self._start(conn, sender, recipients)
                break
            except smtplib.SMTPServerDisconnected:
                # A kept connection the server closed while idle is opened again, once
                self._drop()
                if not kept:
                    raise NotSent(f"{self._where()} closed the connection") from None
        # Lines end CRLF on the wire; smtplib converts only text, not bytes
        data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        try:
            code, reply = conn.data(data)
        except smtplib.SMTPDataError as exc:
            raise NotSent(f"{self._where()} refused the message: {_reply(exc)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise MaybeSent(
                f"{self._where()} stopped answering while the message was being handed over "
                f"({_described(exc)}), so it may or may not have gone"
            ) from None
        if code != 250:
            conn.rset()
            raise NotSent(f"{self._where()} refused the message: {code} {_text(reply)}")

    def _start(self, conn: smtplib.SMTP, sender: str, recipients: list[str]) -> None:
        """Name the sender and the recipients; NotSent if the server refuses them."""
        try:
            code, reply = conn.mail(sender)
            if code != 250:
                conn.rset()
                raise NotSent(
                    f"{self._where()} refused the sender {sender} ({code} {_text(reply)}); "
                    "check the mail_from setting"
                )
            refused = []
            for recipient in recipients:
                code, reply = conn.rcpt(recipient)
                if code not in (250, 251):
                    refused.append(f"{recipient} ({code} {_text(reply)})")
            if len(refused) == len(recipients):
                conn.rset()
                raise NotSent(f"{self._where()} refused every recipient: {'; '.join(refused)}")
        except smtplib.SMTPServerDisconnected:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise NotSent(f"{self._where()} did not take the message: {_described(exc)}") from None

    def _connected(self) -> smtplib.SMTP:
        """The open connection, made (encrypted and signed in as the URL asks) if need be."""
        if self._conn is not None:
            return self._conn
        if self._unreachable is not None:
            raise NotSent(self._unreachable)
        try:
            self._conn = self._open()
        except NotSent as exc:
            self._unreachable = str(exc)
            raise
        return self._conn

    def _open(self) -> smtplib.SMTP:
        url = self.url
        context = ssl.create_default_context()
        conn: smtplib.SMTP | None = None
        try:
            if url.implicit_tls:
                conn = smtplib.SMTP_SSL(url.host, url.port, timeout=self.timeout, context=context)
            else:
                conn = smtplib.SMTP(url.host, url.port, timeout=self.timeout)
            conn.ehlo()
            encrypted = url.implicit_tls
            if not encrypted and conn.has_extn("starttls"):
                conn.starttls(context=context)
                conn.ehlo()
                encrypted = True
            if url.username is not None and url.password is not None:
                if not encrypted and not is_loopback(url.host):
                    raise NotSent(
                        f"{self._where()} does not offer STARTTLS, so PMF will not send the "
                        "password over an unencrypted connection; use smtps:// if the server "
                        "takes encrypted connections (usually port 465), or a server that "
                        "offers STARTTLS"
                    )
                conn.login(url.username, url.password)
        except NotSent:
            _close(conn)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _close(conn)
            raise NotSent(
                f"{self._where()} refused the user name or password in {SMTP_URL_ENV} "
                f"({_reply(exc)})"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            _close(conn)
            raise NotSent(f"{self._where()} could not be used: {_described(exc)}") from None
        return conn

    def _drop(self) -> None:
        _close(self._conn)
        self._conn = None

    def _where(self) -> str:
        return f"The mail server {self.url.shown()}"


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        try:
            conn.close()
        except OSError:
            pass


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"


def _described(exc: BaseException) -> str:
    """What went wrong in words an officer can act on."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"its certificate could not be checked ({exc.verify_message}); PMF trusts the "
            "system's certificate authorities, or the file $SSL_CERT_FILE names"
        )
    if isinstance(exc, ssl.SSLError):
        return f"the encrypted connection failed ({exc.reason or exc})"
    if isinstance(exc, socket.gaierror):
        return "its host name could not be found"
    if isinstance(exc, ConnectionRefusedError):
        return "nothing answered on that port (connection refused)"
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT_SECONDS:.0f} seconds"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    return str(exc) or type(exc).__name__
