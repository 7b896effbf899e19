"""E-mail intake of complaints: which incoming messages a machine sent, and the alias names.

Plain Python on the headers of a message (a mapping of header name -> value, as
``email.message.EmailMessage`` offers it). Documented choices:

* A message is automatic when it says so (RFC 3834 ``Auto-Submitted`` with any value but
  ``no``), when it carries the vendor headers of out-of-office responders (``X-Autoreply``,
  ``X-Autorespond``, ``X-Autoresponder``), or when its ``Precedence`` is ``auto_reply``,
  ``bulk`` or ``junk``. Such a message never opens a complaint and is never acknowledged:
  answering it could start a loop between two robots.
* Header names are case-insensitive; a header may appear more than once (any occurrence counts).
"""

AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder")
AUTO_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
ALIAS_BASE = "complaints"


def _values(headers, name):
    """All values of header ``name`` (case-insensitive) in ``headers``."""
    if hasattr(headers, "get_all"):
        return [str(value) for value in headers.get_all(name) or []]
    wanted = name.lower()
    values = []
    for key, value in dict(headers).items():
        if key.lower() == wanted:
            values.extend(value if isinstance(value, list | tuple) else [value])
    return [str(value) for value in values]


def is_automatic(headers):
    """True when the message was sent by a machine (auto-reply, auto-generated, bulk)."""
    for value in _values(headers, "Auto-Submitted"):
        keyword = value.split(";", 1)[0].strip().lower()
        if keyword and keyword != "no":
            return True
    for name in AUTO_HEADERS:
        if any(value.strip() for value in _values(headers, name)):
            return True
    return any(value.strip().lower() in AUTO_PRECEDENCE for value in _values(headers, "Precedence"))


def alias_name_candidates(company_id, taken):
    """The alias name for a company's complaints: ``complaints`` when free, else
    ``complaints-<company id>`` (then with a counter), never one of ``taken``."""
    taken = {name.lower() for name in taken if name}
    if ALIAS_BASE not in taken:
        return ALIAS_BASE
    name = f"{ALIAS_BASE}-{company_id}"
    counter = 1
    while name in taken:
        counter += 1
        name = f"{ALIAS_BASE}-{company_id}-{counter}"
    return name
