"""Càng Long's demo (units, 2023 targets, May and June 2023 results, the demo logins with their
e-mail addresses) and a real SMTP server (aiosmtpd) for the tests that send through one."""

import pytest


@pytest.fixture
def cang_long(db):
    from units.demo import load_units, load_users
    from targets.demo import load_targets_demo
    from results.demo import load_results_demo
    from units.models import Unit

    load_units()
    load_targets_demo()
    load_results_demo()
    load_users()
    return Unit.objects.get(code="CL")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """An SMTP server on a free local port; Django sends to it while the test runs."""
    from aiosmtpd.controller import Controller

    from tests.services import free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    inbox.controller = controller
    try:
        yield inbox
    finally:
        controller.stop()
