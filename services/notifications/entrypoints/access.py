"""Notifications' rows of the access policy (shared/http/access.py): who may call each route and
which rows they see. An inbox is its recipient's: a teacher's by the token's teacher_id, a staff
member's by the token's subject, role and country together (the staff directory's entry)."""

from __future__ import annotations

from shared.http.access import Policy, Scope, rule

ALL, OWN = Scope.ALL, Scope.OWN

POLICY = Policy(
    "notifications",
    [
        rule("deliveries.list", "GET /deliveries", "mails sent: recipient, address, subject",
             css=ALL, operator=ALL),
        rule("staff.add", "POST /staff", "adds a staff member", operator=ALL),
        rule("staff.list", "GET /staff", "the staff directory: names, e-mails, logins",
             operator=ALL),
        rule("staff.read", "GET /staff/{staff_id}", "a staff member", operator=ALL),
        rule("staff.replace", "PUT /staff/{staff_id}", "changes a staff member", operator=ALL),
        rule("staff.remove", "DELETE /staff/{staff_id}", "removes a staff member", operator=ALL),
        rule("inbox.list", "GET /inbox", "a recipient's notifications",
             teacher=OWN, nso=OWN, css=OWN, operator=ALL),
        rule("inbox.unread", "GET /inbox/unread-count", "a recipient's unread count",
             teacher=OWN, nso=OWN, css=OWN, operator=ALL),
        rule("inbox.mark_read", "POST /inbox/{item_id}/read", "marks a notification read",
             teacher=OWN, nso=OWN, css=OWN),
        rule("webhooks.subscribe", "POST /webhooks", "subscribes a staff system", operator=ALL),
        rule("webhooks.list", "GET /webhooks", "the subscriptions (never their secrets)",
             operator=ALL),
        rule("webhooks.unsubscribe", "DELETE /webhooks/{webhook_id}", "ends a subscription",
             operator=ALL),
        rule("webhooks.deliveries", "GET /webhooks/{webhook_id}/deliveries",
             "what was posted to a subscription", operator=ALL),
    ],
)  # fmt: skip
