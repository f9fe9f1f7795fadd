"""The category hierarchy: a question about `user.contact` covers its children."""

from datamap.domain.categories import ancestors, covers, narrow, related


def test_ancestors_of_a_dotted_key() -> None:
    assert ancestors("user.contact.email") == ["user", "user.contact"]
    assert ancestors("user") == []


def test_a_parent_covers_its_children_but_not_its_siblings() -> None:
    assert covers("user.contact", "user.contact.email")
    assert not covers("user.contact.email", "user.contact")
    assert not covers("user.contact", "user.contactless")
    assert related("user.contact.email", "user.contact")


def test_narrowing_keeps_what_both_sides_share_at_the_finer_grain() -> None:
    # held: the whole contact group; the flow carries only email -> only email travels
    assert narrow(["user.contact"], ["user.contact.email", "user.device.ip_address"]) == [
        "user.contact.email"
    ]
    # held: email; the flow carries the whole contact group -> email travels
    assert narrow(["user.contact.email"], ["user.contact"]) == ["user.contact.email"]
    assert narrow(["user.financial.credit_card"], ["user.contact"]) == []
