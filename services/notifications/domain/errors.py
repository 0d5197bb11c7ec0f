"""The notifications service's refusals, one code each (docs/errors.md is generated from
these). Routes raise them by code (`HttpProblem(403, "not_your_inbox", ...)`) or by name."""

from __future__ import annotations

from shared.errors import error_code

RECIPIENT_REQUIRED = error_code(
    "recipient_required", 422, "Recipient required",
    "An operator reading inboxes names the recipient (`recipient_id`).",
)  # fmt: skip
NOT_IN_STAFF_DIRECTORY = error_code(
    "not_in_staff_directory", 403, "Not in the staff directory",
    "No staff member has this token's login; an operator adds them first.",
)  # fmt: skip
NOT_YOUR_INBOX = error_code(
    "not_your_inbox", 403, "Another person's inbox",
    "One reads, and marks as read, only one's own notifications.",
)  # fmt: skip
INBOX_ITEM_NOT_FOUND = error_code(
    "inbox_item_not_found", 404, "No such notification",
    "No notification with this id is in your inbox.",
)  # fmt: skip
UNKNOWN_NOTIFICATION_KIND = error_code(
    "unknown_notification_kind", 422, "Unknown notification kind",
    "A subscription names a kind of notification the rules do not know.",
)  # fmt: skip
STAFF_NOT_FOUND = error_code(
    "staff_not_found", 404, "No such staff member", "No staff member has this id."
)  # fmt: skip
STAFF_SUBJECT_TAKEN = error_code(
    "staff_subject_taken", 409, "Login already in the directory",
    "Another staff member already has this login subject: one login, one staff member.",
)  # fmt: skip
WEBHOOK_NOT_FOUND = error_code(
    "webhook_not_found", 404, "No such webhook", "No webhook subscription has this id."
)  # fmt: skip
