"""Staff subscriptions and digests (domain, no I/O)."""

from __future__ import annotations

from services.notifications.domain.staff import StaffMember


def _member(kinds: set[str], digest: str = "immediate") -> StaffMember:
    return StaffMember(
        "staff-1", "staff:1", "Marta", "marta@nso.example", "ca", "nso", "ES",
        frozenset(kinds), digest,  # type: ignore[arg-type]
    )  # fmt: skip


def test_an_empty_subscription_wants_every_kind() -> None:
    assert _member(set()).wants("teacher_registered")


def test_a_subscription_wants_only_its_kinds() -> None:
    member = _member({"project_pending_approval"})
    assert member.wants("project_pending_approval")
    assert not member.wants("teacher_registered")


def test_a_daily_digest_member_is_a_digest_recipient() -> None:
    assert _member(set(), "daily").as_recipient().daily_digest
    assert not _member(set()).as_recipient().daily_digest
