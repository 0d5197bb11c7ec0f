"""Registration's rows of the access policy (shared/http/access.py): who may call each route and
which rows they see. The README's "Access policy" table is rendered from this."""

from __future__ import annotations

from shared.http.access import Policy, Scope, rule

ALL, OWN, COUNTRY = Scope.ALL, Scope.OWN, Scope.COUNTRY

POLICY = Policy(
    "registration",
    [
        rule("schools.register", "POST /schools", "registers a school",
             applicant=ALL, operator=ALL),
        rule("schools.read", "GET /schools/{school_id}",
             "a school with its head's name and e-mail",
             teacher=ALL, nso=COUNTRY, css=ALL, operator=ALL),
        rule("teachers.register", "POST /teachers", "registers a teacher (R-REG-1, R-REG-2)",
             applicant=ALL, operator=ALL),
        rule("teachers.read", "GET /teachers/{teacher_id}", "a teacher's profile, e-mail included",
             teacher=OWN, nso=COUNTRY, css=ALL, operator=ALL),
        rule("teachers.validate", "POST /teachers/{teacher_id}/validation",
             "validates a teacher (R-REG-3)", nso=COUNTRY),
        rule("teachers.reject", "POST /teachers/{teacher_id}/rejection",
             "rejects a teacher (R-REG-3)", nso=COUNTRY),
        rule("teachers.change_school", "POST /teachers/{teacher_id}/school-change",
             "moves a teacher to another school (R-REG-5)", teacher=OWN, operator=ALL),
        rule("teachers.deactivate", "POST /teachers/{teacher_id}/deactivation",
             "deactivates a teacher (R-REG-2)",
             teacher=OWN, nso=COUNTRY, css=ALL, operator=ALL),
        rule("teachers.erase", "POST /teachers/{teacher_id}/erasure",
             "erases a teacher's personal data", teacher=OWN, operator=ALL),
        rule("schools.find", "GET /schools",
             "schools of a country by name (a teacher's first registration finds theirs)",
             applicant=ALL, teacher=ALL, nso=COUNTRY, css=ALL, operator=ALL),
        rule("teachers.queue", "GET /teachers",
             "teachers of a country in one status, e-mail included (the NSO's validation queue)",
             nso=COUNTRY, css=ALL, operator=ALL),
        rule("teachers.validation_queue", "GET /validations",
             "teachers waiting for validation, with school and the country's verification "
             "method (R-REG-3)", nso=COUNTRY, css=ALL, operator=ALL),
        rule("teachers.head_confirmation", "POST /head-confirmations/{token}",
             "the school head confirms a teacher through the link's secret (R-REG-3)",
             public=ALL),
        rule("teachers.reapply", "POST /teachers/{teacher_id}/reapplication",
             "a rejected teacher applies again with corrected data (R-REG-2)", teacher=OWN),
        rule("partners.search", "GET /partners",
             "validated teachers for partner search, without e-mail (R-REG-4)",
             teacher=ALL, nso=ALL, css=ALL, operator=ALL),
    ],
)  # fmt: skip
