"""Words written by scheduled jobs for a person read in that person's language.

A cron runs as OdooBot in the server's language; the activities, notes and mails it writes
for an account manager or a department head are read by them. ``AssigneeLanguage(env)`` gives
one environment per language (not per record), so a batch of thousands of activities costs one
context switch per language::

    lang = AssigneeLanguage(self.env)
    summary = lang(user)._("Approve the tier review")
    deadline = lang.datetime(user, sla.deadline)
"""

from odoo.tools import format_date, format_datetime


class AssigneeLanguage:
    def __init__(self, env):
        self.env = env
        self._envs = {}
        self._selections = {}

    def __call__(self, user):
        """``env`` in the language of ``user`` (a res.users record, possibly empty)."""
        lang = (user and user.lang) or self.env.lang or "en_US"
        if lang not in self._envs:
            self._envs[lang] = self.env(context=dict(self.env.context, lang=lang))
        return self._envs[lang]

    def date(self, user, value):
        return format_date(self(user), value) if value else ""

    def datetime(self, user, value):
        """``value`` (UTC) as ``user`` reads it: their language and time zone."""
        return format_datetime(self(user), value, tz=(user and user.tz) or "UTC") if value else ""

    def selection(self, model, field, user):
        """{key: label} of a selection field in the language of ``user``."""
        env = self(user)
        key = (env.lang, model, field)
        if key not in self._selections:
            self._selections[key] = dict(env[model]._fields[field]._description_selection(env))
        return self._selections[key]
