"""Sending e-mail (password reset links) over SMTP, when ``MAIL_SERVER`` is set."""
import concurrent.futures
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)
# One sender thread: the page answers at once, in the same time whether or not a
# message goes out (the answer must not tell which addresses exist).
_sender = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")


def mail_enabled():
    return bool(current_app.config.get("MAIL_SERVER"))


def smtp_settings():
    c = current_app.config
    return {"host": c["MAIL_SERVER"], "port": int(c.get("MAIL_PORT") or 25),
            "ssl": bool(c.get("MAIL_USE_SSL")), "starttls": bool(c.get("MAIL_USE_TLS")),
            "username": c.get("MAIL_USERNAME"), "password": c.get("MAIL_PASSWORD"),
            "sender": c.get("MAIL_FROM") or "szportal@localhost"}


def deliver(settings, to, subject, body):
    """Send one plain-text message now (in the calling thread)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings["sender"], to, subject
    message.set_content(body)
    kind = smtplib.SMTP_SSL if settings["ssl"] else smtplib.SMTP
    with kind(settings["host"], settings["port"], timeout=15) as smtp:
        if settings["starttls"]:
            smtp.starttls()
        if settings["username"]:
            smtp.login(settings["username"], settings["password"] or "")
        smtp.send_message(message)


def send_later(to, subject, body):
    """Queue a message on the sender thread; failures are logged, never shown."""
    settings = smtp_settings()

    def run():
        try:
            deliver(settings, to, subject, body)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("could not send mail to %s: %s", to, exc)
    return _sender.submit(run)
