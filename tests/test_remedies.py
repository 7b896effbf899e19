from cr_engine.remedies import REMEDY_DOCUMENTS, missing_documents, over_limit


def test_explanation_and_no_remedy_need_no_document():
    assert missing_documents("explanation", []) == ()
    assert missing_documents(None, []) == ()


def test_credit_note_remedy_needs_a_credit_note():
    assert missing_documents("credit_note", []) == ("credit_note",)
    assert missing_documents("credit_note", ["return"]) == ("credit_note",), "a return is not a credit"
    assert missing_documents("credit_note", ["credit_note"]) == ()
    assert missing_documents("compensation", ["credit_note"]) == ()


def test_replacement_is_carried_out_by_a_delivery_or_a_quotation():
    assert missing_documents("replacement", ["return"]) == ("replacement", "quotation")
    assert missing_documents("replacement", ["replacement"]) == ()
    assert missing_documents("replacement", ["quotation"]) == ()
    assert missing_documents("repair", ["quotation"]) == ()


def test_a_written_reason_replaces_the_document_but_blanks_do_not():
    assert missing_documents("repair", [], "Repaired on site, free of charge") == ()
    assert missing_documents("repair", [], "   \n") == ("quotation",)


def test_every_remedy_key_is_mapped():
    assert set(REMEDY_DOCUMENTS) == {"replacement", "repair", "return", "credit_note", "compensation", "explanation"}


def test_over_limit_counts_what_was_already_credited():
    available = {"bearing": 10.0, "motor": 2.0}
    already = {"bearing": 4.0}
    assert over_limit(available, already, {"bearing": 6.0, "motor": 2.0}) == []
    assert over_limit(available, already, {"bearing": 7.0}) == [("bearing", 7.0, 6.0)]
    assert over_limit(available, already, {"gearbox": 1.0}) == [("gearbox", 1.0, 0.0)], "not on the invoice"
    assert over_limit(available, {"motor": 3.0}, {"motor": 1.0}) == [("motor", 1.0, 0.0)]
    assert over_limit(available, already, {"bearing": -1.0}) == [("bearing", -1.0, 6.0)]
