"""Helpers for fields that only checked action methods may write (with sudo())."""


def without_defaults(records, field_names):
    """``records`` with the client's ``default_<field>`` context keys for ``field_names`` dropped.

    A context default is a hint of the web client (a grouped list or kanban column passes the
    group's value); for a protected field it is ignored rather than trusted, so that creating a
    record in such a column still works and starts in its initial state."""
    keys = {f"default_{name}" for name in field_names}
    context = records.env.context
    if not keys & set(context):
        return records
    return records.with_env(records.env(context={key: value for key, value in context.items() if key not in keys}))
