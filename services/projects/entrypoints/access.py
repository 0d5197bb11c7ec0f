"""Projects' rows of the access policy (shared/http/access.py): who may call each route and which
rows they see. Changes are the members' (the use cases check which member may do what, R-PRJ-*);
reads are the members', the NSOs' of the member countries, the CSS's and operators'."""

from __future__ import annotations

from shared.http.access import Policy, Scope, rule

ALL, MEMBER, OWN, COUNTRY = Scope.ALL, Scope.MEMBER, Scope.OWN, Scope.COUNTRY
PROJECT = "/projects/{project_id}"

POLICY = Policy(
    "projects",
    [
        rule("projects.propose", "POST /projects", "proposes a project (R-PRJ-1)", teacher=OWN),
        rule("projects.edit", f"PATCH {PROJECT}", "edits a project", teacher=MEMBER),
        rule("projects.withdraw", f"POST {PROJECT}/withdrawal", "withdraws a proposal",
             teacher=MEMBER),
        rule("projects.answer", f"POST {PROJECT}/cofounder-answer",
             "the co-founder accepts or declines", teacher=MEMBER),
        rule("projects.decide", f"POST {PROJECT}/nso-decision",
             "an NSO of a founder country decides (R-PRJ-3)", nso=COUNTRY),
        rule("projects.invite", f"POST {PROJECT}/invitations", "invites a partner (R-PRJ-4)",
             teacher=MEMBER),
        rule("projects.decline", f"POST {PROJECT}/invitation-decline",
             "an invited teacher declines", teacher=MEMBER),
        rule("projects.join", f"POST {PROJECT}/membership", "an invited teacher joins",
             teacher=MEMBER),
        rule("projects.leave", f"DELETE {PROJECT}/membership", "a member leaves",
             teacher=MEMBER),
        rule("projects.appoint", f"POST {PROJECT}/administrators", "appoints an administrator",
             teacher=MEMBER),
        rule("projects.pupils", f"PUT {PROJECT}/pupils", "counts a school's pupils",
             teacher=MEMBER),
        rule("projects.activity", f"POST {PROJECT}/activities", "records an activity",
             teacher=MEMBER),
        rule("projects.complete", f"POST {PROJECT}/completion", "completes a project (R-PRJ-6)",
             teacher=MEMBER),
        rule("projects.archive", f"POST {PROJECT}/archive", "archives a project",
             teacher=MEMBER),
        rule("projects.read", f"GET {PROJECT}", "a project, its members and its history",
             teacher=MEMBER, nso=COUNTRY, css=ALL, operator=ALL),
        rule("projects.list", "GET /projects", "projects with their members",
             teacher=MEMBER, nso=COUNTRY, css=ALL, operator=ALL),
        rule("projects.of_teacher", "GET /teachers/{teacher_id}/projects",
             "a teacher's projects with their members",
             teacher=OWN, nso=COUNTRY, css=ALL, operator=ALL),
    ],
)  # fmt: skip
