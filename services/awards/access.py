"""Awards' rows of the access policy (shared/http/access.py): who may call each route and which
rows they see. Applications, scores, refusal reasons and labels are the teacher's (or the
applying teacher's, for a school), their NSO's, the CSS's and operators'; what a certificate
shows is public through its verification code."""

from __future__ import annotations

from shared.http.access import Policy, Scope, rule

ALL, OWN, MEMBER, COUNTRY = Scope.ALL, Scope.OWN, Scope.MEMBER, Scope.COUNTRY
STAFF_AND_OWNER = {"teacher": OWN, "nso": COUNTRY, "css": ALL, "operator": ALL}
SIGNED_IN = {"teacher": ALL, "nso": ALL, "css": ALL, "operator": ALL}

POLICY = Policy(
    "awards",
    [
        # National Quality Label (R-NQL-*)
        rule("nql.apply", "POST /nql/projects/{project_id}/applications",
             "a teacher applies on one of their projects", teacher=MEMBER),
        rule("nql.evaluate", "POST /nql/applications/{application_id}/evaluation",
             "the NSO scores an application of its country (R-NQL-5)", nso=COUNTRY),
        rule("nql.applications", "GET /nql/applications",
             "applications: status, scores, refusal reasons, evaluator", **STAFF_AND_OWNER),
        rule("nql.application", "GET /nql/applications/{application_id}",
             "an application with its evidence and history", **STAFF_AND_OWNER),
        rule("nql.certificate", "GET /nql/applications/{application_id}/certificate.pdf",
             "the NQL certificate", **STAFF_AND_OWNER),
        rule("nql.rubric", "GET /nql/rubrics/{country}",
             "the rubric a country's NSO scores with (criteria, maximum points, pass mark)",
             **SIGNED_IN),
        rule("nql.evaluation_view", "GET /nql/applications/{application_id}/evaluation-view",
             "an application with its evidence per criterion, the country's rubric, the "
             "project's description and TwinSpace, its partners' NQL status", nso=COUNTRY,
             css=ALL, operator=ALL),
        rule("nql.evaluation_preview",
             "POST /nql/applications/{application_id}/evaluation-preview",
             "the decision some scores would give, computed and not stored (R-NQL-5)",
             nso=COUNTRY),
        rule("nql.queue", "GET /nql/queue", "applications waiting for the NSO", nso=COUNTRY),
        rule("nql.labels", "GET /nql/labels", "granted NQLs with scores and certificate codes",
             **STAFF_AND_OWNER),
        rule("nql.not_eligible", "GET /nql/not-eligible",
             "teachers of a project who may not apply, and why",
             teacher=OWN, css=ALL, operator=ALL),
        # Certificates: what a certificate shows, to whoever holds its code
        rule("certificates.verify", "GET /certificates/{code}",
             "what the certificate shows: holder, school, project, country, date",
             public=ALL),
        # European Quality Label (R-EQL-*)
        rule("eql.open", "POST /eql/rounds", "the CSS opens the year's round", css=ALL),
        rule("eql.round", "GET /eql/rounds/{year}", "the round's status, dates and counts",
             **SIGNED_IN),
        rule("eql.close", "POST /eql/rounds/{year}/closure", "the CSS closes the round",
             css=ALL),
        rule("eql.candidates", "GET /eql/rounds/{year}/candidates",
             "candidate projects with averages and the quota",
             nso=COUNTRY, css=ALL, operator=ALL),
        rule("eql.nominate", "POST /eql/rounds/{year}/nominations",
             "an NSO nominates a candidate (R-EQL-4)", nso=COUNTRY),
        rule("eql.review", "POST /eql/rounds/{year}/nominations/reviews",
             "the CSS confirms or refuses nominations (R-EQL-5)", css=ALL),
        rule("eql.nominations", "GET /eql/rounds/{year}/nominations", "the nominations",
             nso=COUNTRY, css=ALL, operator=ALL),
        rule("eql.labels", "GET /eql/labels", "EQLs with averages and certificate codes",
             **STAFF_AND_OWNER),
        rule("eql.certificate", "GET /eql/labels/{label_id}/certificate.pdf",
             "the EQL certificate", **STAFF_AND_OWNER),
        rule("eql.verify", "GET /eql/certificates/{code}",
             "what the certificate shows: holder, school, project, country, date",
             public=ALL),
        # European Prizes (R-PRZ-*)
        rule("prizes.categories", "GET /prizes/categories", "the prize categories (the policy)",
             public=ALL),
        rule("prizes.enter", "POST /prizes/{year}/entries",
             "a member enters an EQL project (R-PRZ-1)", teacher=MEMBER),
        rule("prizes.entries", "GET /prizes/{year}/entries", "the year's entries",
             teacher=OWN, css=ALL, operator=ALL),
        rule("prizes.record_winner", "POST /prizes/{year}/winners", "the CSS records a winner",
             css=ALL),
        rule("prizes.winners", "GET /prizes/{year}/winners", "the year's winners",
             **SIGNED_IN),
        # Jobs: the long work above (the EQL round, the School Label run) runs as jobs
        rule("jobs.list", "GET /jobs", "jobs with status, progress and who asked",
             css=ALL, operator=ALL),
        rule("jobs.show", "GET /jobs/{job_id}", "a job's status, progress and result",
             css=ALL, operator=ALL),
        rule("jobs.cancel", "POST /jobs/{job_id}/cancellation", "stops a job at its next step",
             css=ALL, operator=ALL),
        # eTwinning School Label (R-SCH-*)
        rule("school_label.run", "POST /school-label/rounds/{year}/eligibility-run",
             "finds the round's eligible schools", css=ALL, operator=ALL),
        rule("school_label.eligible", "GET /school-label/rounds/{year}/eligible-schools",
             "eligible schools with their teachers and checks", **STAFF_AND_OWNER),
        rule("school_label.apply", "POST /school-label/applications",
             "a teacher applies for their school (R-SCH-2)", teacher=OWN),
        rule("school_label.head_confirmation", "GET /school-label/head-confirmations/{token}",
             "what the school head is asked to confirm (the link's secret is the token)",
             public=ALL),
        rule("school_label.head_confirm", "POST /school-label/head-confirmations/{token}",
             "the school head confirms the declaration of honour (R-SCH-2)", public=ALL),
        rule("school_label.decide", "POST /school-label/applications/{application_id}/decision",
             "the NSO of the school's country decides", nso=COUNTRY),
        rule("school_label.applications", "GET /school-label/applications",
             "applications with the head's declaration", **STAFF_AND_OWNER),
        rule("school_label.application", "GET /school-label/applications/{application_id}",
             "an application with the head's declaration", **STAFF_AND_OWNER),
        rule("school_label.labels", "GET /school-label/labels",
             "granted School Labels with the head's declaration", **STAFF_AND_OWNER),
    ],
)  # fmt: skip
