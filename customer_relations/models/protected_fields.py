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


def sets_workflow_fields(vals_list, field_names):
    """Whether a create sends, for any of ``field_names``, a value other than a new record's
    (the draft state, or nothing): such a record starts in its initial state, whatever the
    client sends."""
    return any(
        vals.get(name, "draft" if name == "state" else False) not in ("draft", False)
        for vals in vals_list
        for name in field_names
    )
