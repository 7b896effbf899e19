"""E-mail intake: which messages a machine sent, and the alias names (engine/complaint_mail.py)."""

from email.message import EmailMessage

import pytest
from cr_engine import complaint_mail as engine


def _message(**headers):
    message = EmailMessage()
    message["From"] = "someone@example.com"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, False),
        ({"Auto_Submitted": "no"}, False),
        ({"Auto_Submitted": "auto-replied"}, True),
        ({"Auto_Submitted": "auto-generated; type=vacation"}, True),
        ({"X_Autoreply": "yes"}, True),
        ({"X_Autorespond": "Out of office"}, True),
        ({"Precedence": "bulk"}, True),
        ({"Precedence": "auto_reply"}, True),
        ({"Precedence": "first-class"}, False),
    ],
)
def test_automatic_messages(headers, expected):
    assert engine.is_automatic(_message(**headers)) is expected


def test_automatic_from_a_plain_mapping_ignores_case():
    assert engine.is_automatic({"auto-submitted": "Auto-Replied"})
    assert not engine.is_automatic({"AUTO-SUBMITTED": "No"})


def test_alias_names():
    assert engine.alias_name_candidates(7, []) == "complaints"
    assert engine.alias_name_candidates(7, ["complaints"]) == "complaints-7"
    assert engine.alias_name_candidates(7, ["Complaints", "complaints-7"]) == "complaints-7-2"
