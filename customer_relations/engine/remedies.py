"""Complaint remedies: which documents a chosen remedy needs, and how much may still be credited,
returned or replaced.

Plain Python on plain data (no Odoo). Documented choices:

* A remedy is carried out by a document of one of the kinds in :data:`REMEDY_DOCUMENTS`: a credit
  note (``credit_note``, also for a ``compensation`` paid as a credit), a return of delivered
  goods (``return``), a replacement delivery or a replacement quotation (``replacement``), a
  repair quotation (``repair``). ``explanation`` needs none. A remedy with no document needs a
  written reason instead (e.g. repaired on site free of charge).
* Limits are per key (a product id, an invoice line, a stock move): what was invoiced or
  delivered, less what earlier documents already credited, returned or replaced. A request
  beyond the limit is refused whole, never trimmed silently.
"""

REMEDY_DOCUMENTS = {
    "credit_note": ("credit_note",),
    "compensation": ("credit_note",),
    "return": ("return",),
    "replacement": ("replacement", "quotation"),
    "repair": ("quotation",),
    "explanation": (),
}


def missing_documents(remedy_type, document_types, reason=None):
    """The document kinds of which one is still needed before the complaint goes back to
    sales-service, or ``()`` when the remedy is carried out (or needs no document, or a reason
    says why there is none).

    :param remedy_type: the chosen remedy key (``None``: nothing chosen, nothing needed here)
    :param document_types: kinds of the complaint's live (not cancelled) documents
    :param reason: the written reason for having no document
    """
    needed = REMEDY_DOCUMENTS.get(remedy_type or "", ())
    if not needed or (reason or "").strip():
        return ()
    if set(document_types) & set(needed):
        return ()
    return needed


def over_limit(available, already, requested, precision=1e-6):
    """Keys whose request exceeds what is left.

    :param available: key -> quantity (or amount) invoiced / delivered
    :param already: key -> quantity already credited / returned / replaced
    :param requested: key -> quantity asked for now (zero and negative entries are ignored by
        the caller; a negative here counts as over the limit)
    :return: list of ``(key, requested, left)`` for every refused key, in the order of
        ``requested``; a key absent from ``available`` has nothing left
    """
    refused = []
    for key, quantity in requested.items():
        left = (available.get(key) or 0.0) - (already.get(key) or 0.0)
        if quantity < 0 or quantity > left + precision:
            refused.append((key, quantity, max(left, 0.0)))
    return refused
