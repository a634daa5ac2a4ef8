#!/usr/bin/env python3
"""Writes docs/postman_collection.json and docs/postman_environment.json.

The collection is written from the table below rather than by hand so that its ~70 requests stay
consistent (auth, variables, tests). Run it after changing the table and commit both outputs:

    python3 scripts/postman/build_collection.py

Requests run in order and chain through collection variables: a create saves the new id, later
requests use it, the last ones delete what the run made. `runId` (set on the first request) makes
emails and domains unique, so a run can be repeated on the same database.
"""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
ACCOUNT = "{{baseUrl}}/api/v1/accounts/{{accountId}}"
GUEST = "Fingerprint guest-{{runId}}@example.com:3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"


def req(name, method, url, status, tests="", body=None, form=None, auth="bearer", headers=None,
        prerequest="", follow_redirects=True):
    """One request with its tests: the status always, then `tests` (JavaScript, `json` is the
    parsed body when there is one)."""
    script = [f'pm.test("status {status}", () => pm.response.to.have.status({status}));']
    if status not in (204, 304):
        script += [
            'const json = pm.response.text() ? pm.response.json() : null;',
            'pm.test("JSON body", () => pm.expect(json).to.be.an("object"));',
        ]
    if status >= 400:
        script.append('pm.test("error message", () => pm.expect(json.message).to.be.a("string"));')
    script += [line.strip() for line in tests.strip().splitlines() if line.strip()]
    request = {"method": method, "url": url, "header": []}
    for key, value in (headers or {}).items():
        request["header"].append({"key": key, "value": value})
    if body is not None:
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {"mode": "raw", "raw": json.dumps(body, indent=2),
                           "options": {"raw": {"language": "json"}}}
    if form is not None:
        request["body"] = {"mode": "urlencoded",
                           "urlencoded": [{"key": k, "value": v} for k, v in form]}
    if auth is None:
        request["auth"] = {"type": "noauth"}
    elif auth == "integration":
        # A token issued with `supportdesk tokens create --integration zendesk`; without one
        # (say, in the Postman app) the request is skipped.
        request["auth"] = {"type": "bearer", "bearer": [
            {"key": "token", "value": "{{integrationToken}}", "type": "string"}]}
        prerequest = ('if (!pm.variables.get("integrationToken")) { pm.execution.skipRequest(); }\n'
                      + prerequest)
    item = {"name": name, "request": request,
            "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": script}}]}
    if not follow_redirects:
        item["protocolProfileBehavior"] = {"followRedirects": False}
    if prerequest:
        item["event"].append({"listen": "prerequest", "script": {
            "type": "text/javascript", "exec": prerequest.strip().splitlines()}})
    return item


def guest(name, method, url, status, tests="", body=None):
    return req(name, method, url, status, tests, body=body, auth=None,
               headers={"Authorization": GUEST})


FOLDERS = {
    "Health": [
        req("Liveness", "GET", "{{baseUrl}}/health", 200,
            'pm.test("ok", () => pm.expect(json.status).to.eql("ok"));', auth=None,
            prerequest='if (!pm.collectionVariables.get("runId")) '
                       '{ pm.collectionVariables.set("runId", Date.now()); }'),
        req("Readiness", "GET", "{{baseUrl}}/ready", 200,
            'pm.test("ready", () => pm.expect(json.status).to.eql("ready"));', auth=None),
        req("OpenAPI document", "GET", "{{baseUrl}}/api/v1/openapi.json", 200,
            'pm.test("3.1", () => pm.expect(json.openapi).to.eql("3.1.0"));', auth=None),
    ],
    "Auth & profile": [
        req("Profile", "GET", "{{baseUrl}}/api/v1/profile", 200, """
            pm.test("accounts", () => pm.expect(json.data.accounts.map(a => a.id)).to.include(Number(pm.variables.get("accountId"))));
        """),
        req("Profile without a token is 401", "GET", "{{baseUrl}}/api/v1/profile", 401, """
            pm.test("WWW-Authenticate", () => pm.expect(pm.response.headers.get("WWW-Authenticate")).to.include("Bearer"));
        """, auth=None),
        req("Login with a wrong password is 401", "POST", "{{baseUrl}}/api/v1/auth/login", 401,
            body={"email": "nobody-{{runId}}@example.com", "password": "wrong"}, auth=None),
        req("Login without a password is 422", "POST", "{{baseUrl}}/api/v1/auth/login", 422,
            'pm.test("names password", () => pm.expect(json.errors).to.have.property("password"));',
            body={"email": "nobody@example.com"}, auth=None),
    ],
    "Accounts": [
        req("Retrieve the account", "GET", ACCOUNT, 200,
            'pm.test("id", () => pm.expect(json.data.id).to.eql(Number(pm.variables.get("accountId"))));'),
        req("Enable contact forms (admins)", "PATCH", ACCOUNT, 200,
            'pm.test("enabled", () => pm.expect(json.data.contact_form_enabled).to.eql(true));',
            body={"contact_form_enabled": True}),
        req("Set the phone region (phones compare as E.164)", "PATCH", ACCOUNT, 200,
            'pm.test("US", () => pm.expect(json.data.phone_region).to.eql("US"));',
            body={"phone_region": "us"}),
        req("An unknown phone region is 422", "PATCH", ACCOUNT, 422,
            'pm.test("names phone_region", () => pm.expect(json.errors).to.have.property("phone_region"));',
            body={"phone_region": "Narnia"}),
        req("Clear the phone region (phones compare by digits)", "PATCH", ACCOUNT, 200,
            'pm.test("cleared", () => pm.expect(json.data.phone_region).to.eql(null));',
            body={"phone_region": None}),
        req("Another account is 404", "GET", "{{baseUrl}}/api/v1/accounts/999999999", 404),
    ],
    "Customers": [
        req("Create (the seed's form-encoded sample)", "POST", ACCOUNT + "/customers", 201, """
            pm.test("Location", () => pm.expect(pm.response.headers.get("Location")).to.eql(`/api/v1/accounts/${pm.variables.get("accountId")}/customers/${json.data.id}`));
            pm.test("name and initials", () => { pm.expect(json.data.name).to.eql("Jane Doe"); pm.expect(json.data.initials).to.eql("JD"); });
            pm.test("nested items", () => { pm.expect(json.data.emails[0].email).to.eql(`jane-${pm.variables.get("runId")}@example.org`); pm.expect(json.data.phones[0].phone).to.eql("123 123 1234"); pm.expect(json.data.websites[0].website).to.eql("https://www.example.org/"); });
            pm.test("stats", () => pm.expect(json.data.stats.conversations).to.eql({total: 0, posted: 0, pending: 0, closed: 0, email_channel: 0}));
            pm.collectionVariables.set("customerId", json.data.id);
            pm.collectionVariables.set("emailId", json.data.emails[0].id);
            pm.collectionVariables.set("phoneId", json.data.phones[0].id);
            pm.collectionVariables.set("websiteId", json.data.websites[0].id);
        """, form=[("first_name", "Jane"), ("last_name", "Doe"),
                   ("emails[0][email]", "jane-{{runId}}@example.org"),
                   ("phones[0][phone]", "123 123 1234"),
                   ("websites[0][website]", "https://www.example.org/")]),
        req("Create with the same email in capitals is 422", "POST", ACCOUNT + "/customers", 422, """
            pm.test("names the email", () => pm.expect(json.errors).to.have.property("emails.0.email"));
            pm.test("names its holder", () => pm.expect(json.conflict).to.eql({customer_id: pm.collectionVariables.get("customerId")}));
        """, body={"first_name": "Dup", "emails": [{"email": "JANE-{{runId}}@EXAMPLE.ORG"}]}),
        req("Look the customer up by email (any case)", "GET", ACCOUNT + "/customers/lookup?email=JANE-{{runId}}@example.org", 200, """
            pm.test("the customer", () => pm.expect(json.data.id).to.eql(pm.collectionVariables.get("customerId")));
            pm.test("stats", () => pm.expect(json.data.stats).to.have.property("conversations"));
            pm.test("Content-Location", () => pm.expect(pm.response.headers.get("Content-Location")).to.eql(`/api/v1/accounts/${pm.variables.get("accountId")}/customers/${json.data.id}`));
        """),
        req("Look up by phone (digits)", "GET", ACCOUNT + "/customers/lookup?phone=(123) 123-1234", 200,
            'pm.test("a customer with that phone", () => pm.expect(json.data.phones.map(p => p.phone.replace(/\\D/g, ""))).to.include("1231231234"));'),
        req("Lookup of an unknown email is 404", "GET", ACCOUNT + "/customers/lookup?email=nobody-{{runId}}@example.org", 404),
        req("Lookup with two keys is 422", "GET", ACCOUNT + "/customers/lookup?email=a@example.org&phone=1231231234", 422,
            'pm.test("names phone", () => pm.expect(json.errors).to.have.property("phone"));'),
        req("Create without first_name is 422", "POST", ACCOUNT + "/customers", 422,
            'pm.test("names first_name", () => pm.expect(json.errors).to.have.property("first_name"));',
            body={"last_name": "Nobody"}),
        req("Create with 16 emails is 422", "POST", ACCOUNT + "/customers", 422,
            'pm.test("names emails", () => pm.expect(json.errors).to.have.property("emails"));',
            body={"first_name": "Many", "emails": [{"email": f"m{i}-{{{{runId}}}}@example.org"} for i in range(16)]}),
        req("Retrieve", "GET", ACCOUNT + "/customers/{{customerId}}", 200, """
            pm.test("the customer", () => pm.expect(json.data.id).to.eql(pm.collectionVariables.get("customerId")));
            pm.test("stats", () => pm.expect(json.data.stats).to.have.property("conversations"));
        """),
        req("Update with PUT: upsert an email by id, add one", "PUT", ACCOUNT + "/customers/{{customerId}}", 200, """
            pm.test("first email updated in place", () => pm.expect(json.data.emails[0]).to.eql({id: pm.collectionVariables.get("emailId"), email: `jane.doe-${pm.variables.get("runId")}@example.org`}));
            pm.test("second email added", () => pm.expect(json.data.emails.length).to.eql(2));
            pm.collectionVariables.set("workEmailId", json.data.emails[1].id);
            pm.test("phone kept", () => pm.expect(json.data.phones.length).to.eql(1));
        """, body={"first_name": "Jane", "last_name": "Doe",
                   "emails": [{"id": "{{emailId}}", "email": "jane.doe-{{runId}}@example.org"},
                              {"email": "jane.work-{{runId}}@example.org"}]}),
        req("Update with PATCH", "PATCH", ACCOUNT + "/customers/{{customerId}}", 200, """
            pm.test("name follows", () => pm.expect(json.data.name).to.eql("Jane Smith"));
            pm.test("initials follow", () => pm.expect(json.data.initials).to.eql("JS"));
        """, body={"last_name": "Smith"}),
        req("List, page 1", "GET", ACCOUNT + "/customers?per_page=1", 200, """
            pm.test("meta", () => { pm.expect(json.meta.current_page).to.eql(1); pm.expect(json.meta.per_page).to.eql(1); pm.expect(json.meta.total).to.be.at.least(1); });
            pm.test("links", () => pm.expect(json.links.first).to.include("page=1"));
            if (json.meta.next_cursor) { pm.collectionVariables.set("cursor", json.meta.next_cursor); }
        """),
        req("List by email (any case)", "GET", ACCOUNT + "/customers?email=JANE.WORK-{{runId}}@example.org", 200, """
            pm.test("one match", () => { pm.expect(json.meta.total).to.eql(1); pm.expect(json.data[0].id).to.eql(pm.collectionVariables.get("customerId")); });
        """),
        req("List by phone (digits only)", "GET", ACCOUNT + "/customers?phone=1231231234&sort=-updated_at", 200,
            'pm.test("found", () => pm.expect(json.data.map(c => c.id)).to.include(pm.collectionVariables.get("customerId")));'),
        req("List with a bad sort is 422", "GET", ACCOUNT + "/customers?sort=shoe_size", 422,
            'pm.test("names sort", () => pm.expect(json.errors).to.have.property("sort"));'),
        req("Missing customer is 404", "GET", ACCOUNT + "/customers/999999999", 404),
        req("The customer under another account is 404", "GET",
            "{{baseUrl}}/api/v1/accounts/999999999/customers/{{customerId}}", 404),
        req("List without a token is 401", "GET", ACCOUNT + "/customers", 401, auth=None),
        req("List with a bad token is 401", "GET", ACCOUNT + "/customers", 401, auth=None,
            headers={"Authorization": "Bearer not-a-token"}),
    ],
    "One person, one customer (upsert, duplicates, merge)": [
        req("Upsert by email creates", "POST", ACCOUNT + "/customers/upsert", 201, """
            pm.test("created", () => pm.expect(json.result).to.eql("created"));
            pm.test("external ids", () => pm.expect(json.data.external_ids).to.eql({crm: `crm-${pm.variables.get("runId")}`}));
            pm.collectionVariables.set("survivorId", json.data.id);
        """, body={"match": "email", "first_name": "Ada", "emails": [{"email": "Ada.Lovelace+shop-{{runId}}@gmail.com"}],
                   "external_ids": {"crm": "crm-{{runId}}"}}),
        req("The same upsert again is unchanged", "POST", ACCOUNT + "/customers/upsert", 200,
            'pm.test("unchanged", () => pm.expect(json.result).to.eql("unchanged"));',
            body={"match": "email", "first_name": "Ada", "emails": [{"email": "ada.lovelace+shop-{{runId}}@gmail.com"}]}),
        req("Upsert by external id updates", "POST", ACCOUNT + "/customers/upsert", 200, """
            pm.test("updated", () => pm.expect(json.result).to.eql("updated"));
            pm.test("the same customer", () => pm.expect(json.data.id).to.eql(pm.collectionVariables.get("survivorId")));
        """, body={"match": "external_id", "last_name": "Lovelace", "external_ids": {"crm": "crm-{{runId}}"}}),
        req("Look up by external id", "GET", ACCOUNT + "/customers/lookup?external_id=crm-{{runId}}", 200,
            'pm.test("the customer", () => pm.expect(json.data.id).to.eql(pm.collectionVariables.get("survivorId")));'),
        req("The same person again, another way", "POST", ACCOUNT + "/customers", 201,
            'pm.collectionVariables.set("duplicateId", json.data.id);',
            body={"first_name": "A.", "emails": [{"email": "adalovelace+news-{{runId}}@googlemail.com"}]}),
        req("Her duplicate candidates", "GET", ACCOUNT + "/customers/{{survivorId}}/duplicates", 200, """
            pm.test("the other one, by email", () => {
                const found = json.data.find(c => c.customer.id === pm.collectionVariables.get("duplicateId"));
                pm.expect(found.reasons).to.include("email");
            });
        """),
        req("Duplicate groups of the account", "GET", ACCOUNT + "/customers/duplicates?reason=email", 200,
            'pm.test("groups", () => pm.expect(json.data).to.be.an("array").that.is.not.empty);'),
        req("Preview the merge (writes nothing)", "POST", ACCOUNT + "/customers/{{survivorId}}/merge", 200, """
            pm.test("a preview", () => { pm.expect(json.preview).to.eql(true); pm.expect(json.mergeable).to.eql(true); });
            pm.test("one email moves", () => pm.expect(json.moved.emails).to.eql(1));
        """, body={"from": ["{{duplicateId}}"], "preview": True}),
        req("Merge", "POST", ACCOUNT + "/customers/{{survivorId}}/merge", 200, """
            pm.test("merged", () => pm.expect(json.merged_ids).to.eql([pm.collectionVariables.get("duplicateId")]));
            pm.test("both emails", () => pm.expect(json.data.emails.length).to.eql(2));
        """, body={"from": ["{{duplicateId}}"]}),
        req("The merged id redirects (308)", "GET", ACCOUNT + "/customers/{{duplicateId}}", 308, """
            pm.test("to the survivor", () => pm.expect(pm.response.headers.get("Location")).to.eql(`/api/v1/accounts/${pm.variables.get("accountId")}/customers/${pm.collectionVariables.get("survivorId")}`));
        """, follow_redirects=False),
        req("Merging it into itself is 422", "POST", ACCOUNT + "/customers/{{survivorId}}/merge", 422,
            'pm.test("names from.0", () => pm.expect(json.errors).to.have.property("from.0"));',
            body={"from": ["{{survivorId}}"]}),
    ],
    "Customer contacts": [
        req("Delete a phone", "DELETE", ACCOUNT + "/customers/{{customerId}}/phones/{{phoneId}}", 204),
        req("The phone is gone", "GET", ACCOUNT + "/customers/{{customerId}}", 200,
            'pm.test("no phones", () => pm.expect(json.data.phones).to.eql([]));'),
        req("Deleting it again is 404", "DELETE", ACCOUNT + "/customers/{{customerId}}/phones/{{phoneId}}", 404),
        req("Delete an email", "DELETE", ACCOUNT + "/customers/{{customerId}}/emails/{{workEmailId}}", 204),
        req("Delete a website", "DELETE", ACCOUNT + "/customers/{{customerId}}/websites/{{websiteId}}", 204),
        req("One email and no websites left", "GET", ACCOUNT + "/customers/{{customerId}}", 200, """
            pm.test("one email", () => pm.expect(json.data.emails.map(e => e.id)).to.eql([pm.collectionVariables.get("emailId")]));
            pm.test("no websites", () => pm.expect(json.data.websites).to.eql([]));
        """),
    ],
    "Safe writes (ETag, If-Match, Idempotency-Key)": [
        req("Read the customer and its ETag", "GET", ACCOUNT + "/customers/{{customerId}}", 200, """
            pm.test("a strong ETag", () => pm.expect(pm.response.headers.get("ETag")).to.match(/^"[A-Za-z0-9_-]+"$/));
            pm.collectionVariables.set("etag", pm.response.headers.get("ETag"));
        """),
        req("Unchanged since: If-None-Match is 304", "GET", ACCOUNT + "/customers/{{customerId}}", 304,
            'pm.test("same ETag", () => pm.expect(pm.response.headers.get("ETag")).to.eql(pm.collectionVariables.get("etag")));',
            headers={"If-None-Match": "{{etag}}"}),
        req("PATCH with If-Match", "PATCH", ACCOUNT + "/customers/{{customerId}}", 200, """
            pm.test("a new ETag", () => pm.expect(pm.response.headers.get("ETag")).to.not.eql(pm.collectionVariables.get("etag")));
            pm.collectionVariables.set("newEtag", pm.response.headers.get("ETag"));
        """, body={"last_name": "Doe-{{runId}}"}, headers={"If-Match": "{{etag}}"}),
        req("A stale If-Match is 412, nothing written", "PATCH", ACCOUNT + "/customers/{{customerId}}", 412, """
            pm.test("the current ETag", () => pm.expect(json.etag).to.eql(pm.collectionVariables.get("newEtag")));
        """, body={"last_name": "Lost update"}, headers={"If-Match": "{{etag}}"}),
        req("A PATCH that changes nothing keeps the ETag", "PATCH", ACCOUNT + "/customers/{{customerId}}", 200, """
            pm.test("same ETag", () => pm.expect(pm.response.headers.get("ETag")).to.eql(pm.collectionVariables.get("newEtag")));
            pm.test("not the lost update", () => pm.expect(json.data.last_name).to.eql(`Doe-${pm.variables.get("runId")}`));
        """, body={"last_name": "Doe-{{runId}}"}, headers={"If-Match": "{{newEtag}}"}),
        req("Create with an Idempotency-Key", "POST", ACCOUNT + "/customers", 201, """
            pm.collectionVariables.set("idempotentCustomerId", json.data.id);
        """, body={"first_name": "Once", "emails": [{"email": "once-{{runId}}@example.org"}]},
            headers={"Idempotency-Key": "create-once-{{runId}}"}),
        req("The same POST again is replayed, not repeated", "POST", ACCOUNT + "/customers", 201, """
            pm.test("replayed", () => pm.expect(pm.response.headers.get("Idempotent-Replayed")).to.eql("true"));
            pm.test("the same customer", () => pm.expect(json.data.id).to.eql(pm.collectionVariables.get("idempotentCustomerId")));
        """, body={"first_name": "Once", "emails": [{"email": "once-{{runId}}@example.org"}]},
            headers={"Idempotency-Key": "create-once-{{runId}}"}),
        req("The same key with another body is 422", "POST", ACCOUNT + "/customers", 422,
            body={"first_name": "Twice"}, headers={"Idempotency-Key": "create-once-{{runId}}"}),
        req("Delete it if it exists (If-Match: *)", "DELETE", ACCOUNT + "/customers/{{idempotentCustomerId}}", 204,
            headers={"If-Match": "*"}),
    ],
    "Conversations": [
        req("Create from a new email (creates its customer)", "POST", ACCOUNT + "/conversations", 201, """
            pm.test("numbered", () => pm.expect(json.data.number).to.be.a("number"));
            pm.test("customer made", () => pm.expect(json.data.customer_id).to.be.a("number"));
            pm.test("Location", () => pm.expect(pm.response.headers.get("Location")).to.include(`/conversations/${json.data.id}`));
            pm.collectionVariables.set("conversationId", json.data.id);
            pm.collectionVariables.set("conversationCustomerId", json.data.customer_id);
        """, body={"customer_email": "New.Person-{{runId}}@Example.com", "subject": "Where is my order?",
                   "channel": "email", "status": "pending",
                   "interactions": [{"type": "customer", "body": "Hello, my order has not arrived."}]}),
        req("Retrieve", "GET", ACCOUNT + "/conversations/{{conversationId}}", 200, """
            pm.test("status", () => pm.expect(json.data.status).to.eql("pending"));
            pm.test("one interaction", () => pm.expect(json.data.interactions_count).to.eql(1));
        """),
        req("The new customer's stats count it", "GET", ACCOUNT + "/customers/{{conversationCustomerId}}", 200, """
            pm.test("named by the email", () => pm.expect(json.data.name).to.eql(`New.Person-${pm.variables.get("runId")}@Example.com`));
            pm.test("stats", () => pm.expect(json.data.stats.conversations).to.eql({total: 1, posted: 0, pending: 1, closed: 0, email_channel: 1}));
        """),
        req("Close it (PATCH)", "PATCH", ACCOUNT + "/conversations/{{conversationId}}", 200,
            'pm.test("closed", () => pm.expect(json.data.status).to.eql("closed"));',
            body={"status": "closed"}),
        req("Update it (PUT)", "PUT", ACCOUNT + "/conversations/{{conversationId}}", 200,
            'pm.test("subject", () => pm.expect(json.data.subject).to.eql("Order #1234"));',
            body={"subject": "Order #1234"}),
        req("Stats follow at once", "GET", ACCOUNT + "/customers/{{conversationCustomerId}}", 200,
            'pm.test("closed", () => pm.expect(json.data.stats.conversations).to.eql({total: 1, posted: 0, pending: 0, closed: 1, email_channel: 1}));'),
        req("A second email in other case joins the same customer", "POST", ACCOUNT + "/conversations", 201,
            'pm.test("same customer", () => pm.expect(json.data.customer_id).to.eql(pm.collectionVariables.get("conversationCustomerId")));',
            body={"customer_email": "NEW.person-{{runId}}@example.com", "status": "draft"}),
        req("List, filtered", "GET", ACCOUNT + "/conversations?customer_id={{conversationCustomerId}}&status=closed", 200, """
            pm.test("the closed one", () => { pm.expect(json.meta.total).to.eql(1); pm.expect(json.data[0].id).to.eql(pm.collectionVariables.get("conversationId")); });
        """),
        req("An unknown status is 422", "POST", ACCOUNT + "/conversations", 422,
            'pm.test("names status", () => pm.expect(json.errors).to.have.property("status"));',
            body={"customer_email": "x-{{runId}}@example.com", "status": "open"}),
    ],
    "Interactions": [
        req("Add a note", "POST", ACCOUNT + "/conversations/{{conversationId}}/interactions", 201, """
            pm.test("a note by the token's user", () => { pm.expect(json.data.type).to.eql("note"); pm.expect(json.data.user_id).to.be.a("number"); });
            pm.collectionVariables.set("interactionId", json.data.id);
        """, body={"type": "note", "body": "Refund approved."}),
        req("List, oldest first", "GET", ACCOUNT + "/conversations/{{conversationId}}/interactions", 200, """
            pm.test("both", () => pm.expect(json.data.map(i => i.type)).to.eql(["customer", "note"]));
        """),
        req("Retrieve one", "GET", ACCOUNT + "/conversations/{{conversationId}}/interactions/{{interactionId}}", 200,
            'pm.test("the note", () => pm.expect(json.data.body).to.eql("Refund approved."));'),
        req("An empty body is 422", "POST", ACCOUNT + "/conversations/{{conversationId}}/interactions", 422,
            'pm.test("names body", () => pm.expect(json.errors).to.have.property("body"));',
            body={"type": "agent", "body": ""}),
        req("Delete it", "DELETE", ACCOUNT + "/conversations/{{conversationId}}/interactions/{{interactionId}}", 204),
    ],
    "Contact form (guest)": [
        guest("Open a conversation from the widget", "POST", ACCOUNT + "/conversations", 201, """
            pm.test("no agent shown", () => pm.expect(json.data.user_id).to.eql(null));
            pm.test("no customer id or number shown", () => {
                pm.expect(json.data.customer_id).to.eql(null);
                pm.expect(json.data.number).to.eql(null);
            });
            pm.collectionVariables.set("guestConversationId", json.data.id);
        """, body={"subject": "Question", "channel": "email", "status": "posted", "first_name": "Jane",
                   "last_name": "Doe", "to": "guest-{{runId}}@example.com",
                   "interactions": [{"type": "customer", "body": "Hi, can you help?", "source": "Form @ www.example.com"}]}),
        guest("Read it back", "GET", ACCOUNT + "/conversations/{{guestConversationId}}", 200,
            'pm.test("the same", () => pm.expect(json.data.id).to.eql(pm.collectionVariables.get("guestConversationId")));'),
        guest("Add a message", "POST", ACCOUNT + "/conversations/{{guestConversationId}}/interactions", 201,
            'pm.test("a customer message", () => pm.expect(json.data.type).to.eql("customer"));',
            body={"type": "customer", "body": "Any news?"}),
        guest("List its messages", "GET", ACCOUNT + "/conversations/{{guestConversationId}}/interactions", 200,
            'pm.test("two", () => pm.expect(json.meta.total).to.eql(2));'),
        guest("An empty first message is 422", "POST", ACCOUNT + "/conversations", 422,
            'pm.test("names interactions.0.body", () => pm.expect(json.errors).to.have.property("interactions.0.body"));',
            body={"to": "guest-{{runId}}@example.com", "interactions": [{"type": "customer", "body": ""}]}),
        guest("Someone else's conversation is 401", "GET", ACCOUNT + "/conversations/{{conversationId}}", 401),
        guest("Customers are not a guest route: 401", "GET", ACCOUNT + "/customers", 401),
        req("The agent sees the guest's conversation whole", "GET", ACCOUNT + "/conversations/{{guestConversationId}}", 200, """
            pm.test("with its number", () => pm.expect(json.data.number).to.be.a("number"));
            pm.collectionVariables.set("guestCustomerId", json.data.customer_id);
        """),
        req("The agent sees the guest's customer", "GET", ACCOUNT + "/customers/{{guestCustomerId}}", 200,
            'pm.test("Jane Doe", () => pm.expect(json.data.name).to.eql("Jane Doe"));'),
    ],
    "Companies": [
        req("Create ACME", "POST", ACCOUNT + "/companies", 201, """
            pm.test("domains lower-cased", () => pm.expect(json.data.domains).to.eql([`acme-${pm.variables.get("runId")}.com`]));
            pm.collectionVariables.set("companyId", json.data.id);
        """, body={"name": "ACME", "domains": ["ACME-{{runId}}.com"], "external_ids": ["cus-acme-{{runId}}"]}),
        req("A public email domain is 422", "POST", ACCOUNT + "/companies", 422,
            'pm.test("names domains", () => pm.expect(Object.keys(json.errors).join()).to.include("domains"));',
            body={"name": "Gmail", "domains": ["gmail.com"]}),
        req("A taken domain is 422", "POST", ACCOUNT + "/companies", 422, """
            pm.test("names domains.0", () => pm.expect(json.errors["domains.0"][0]).to.include("belongs to another company"));
        """, body={"name": "Copy", "domains": ["acme-{{runId}}.com"]}),
        req("A taken external id is 422", "POST", ACCOUNT + "/companies", 422, """
            pm.test("names external_ids.0", () => pm.expect(json.errors["external_ids.0"][0]).to.include("belongs to another company"));
        """, body={"name": "Copy", "external_ids": ["cus-acme-{{runId}}"]}),
        req("Upsert by domain adds a domain and an external id", "POST", ACCOUNT + "/companies/upsert", 200, """
            pm.test("updated", () => pm.expect(json.result).to.eql("updated"));
            pm.test("same company", () => pm.expect(json.data.id).to.eql(pm.collectionVariables.get("companyId")));
            pm.test("merged", () => { pm.expect(json.data.domains).to.eql([`acme-${pm.variables.get("runId")}.com`, `acme-${pm.variables.get("runId")}.dev`]); pm.expect(json.data.external_ids).to.eql([`cus-acme-${pm.variables.get("runId")}`, `own-${pm.variables.get("runId")}`]); pm.expect(json.data.name).to.eql("ACME"); });
        """, body={"domains": ["acme-{{runId}}.com", "acme-{{runId}}.dev"], "external_id": "own-{{runId}}"}),
        req("Upsert of a new domain creates", "POST", ACCOUNT + "/companies/upsert", 201, """
            pm.test("created", () => pm.expect(json.result).to.eql("created"));
            pm.collectionVariables.set("company2Id", json.data.id);
        """, body={"name": "Globex", "domains": ["globex-{{runId}}.com"]}),
        req("Retrieve", "GET", ACCOUNT + "/companies/{{companyId}}", 200,
            'pm.test("counts", () => pm.expect(json.data.request_count).to.eql(0));'),
        req("Update (PATCH)", "PATCH", ACCOUNT + "/companies/{{companyId}}", 200,
            'pm.test("revenue", () => pm.expect(json.data.revenue).to.eql(1000000));',
            body={"revenue": 1000000, "size": 50}),
        req("Update (PUT)", "PUT", ACCOUNT + "/companies/{{company2Id}}", 200,
            'pm.test("renamed", () => pm.expect(json.data.name).to.eql("Globex Corp"));',
            body={"name": "Globex Corp"}),
        req("Search companies (q, by name)", "GET", ACCOUNT + "/companies?q=acme-{{runId}}&sort=name", 200,
            'pm.test("found by its domain", () => pm.expect(json.data.map(c => c.id)).to.include(pm.collectionVariables.get("companyId")));'),
        req("An unknown filter is 422", "GET", ACCOUNT + "/companies?tier=1", 422,
            'pm.test("names it", () => pm.expect(json.errors).to.have.property("tier"));'),
        req("List by domain", "GET", ACCOUNT + "/companies?domain=acme-{{runId}}.dev", 200,
            'pm.test("ACME", () => { pm.expect(json.meta.total).to.eql(1); pm.expect(json.data[0].id).to.eql(pm.collectionVariables.get("companyId")); });'),
        req("Customers link by email domain", "POST", ACCOUNT + "/customers", 201, """
            pm.test("linked", () => pm.expect(json.data.company_id).to.eql(pm.collectionVariables.get("companyId")));
            pm.collectionVariables.set("acmeCustomerId", json.data.id);
        """, body={"first_name": "Wile", "emails": [{"email": "wile-{{runId}}@acme-{{runId}}.com"}]}),
        req("Create a company as the zendesk integration", "POST", ACCOUNT + "/companies", 201, """
            pm.test("managed by zendesk", () => pm.expect(json.data.managed_by).to.eql("zendesk"));
            pm.collectionVariables.set("managedCompanyId", json.data.id);
        """, body={"name": "Managed {{runId}}", "domains": ["managed-{{runId}}.com"], "revenue": 10},
            auth="integration"),
        req("Renaming a managed company is 409", "PATCH", ACCOUNT + "/companies/{{managedCompanyId}}", 409, """
            pm.test("names the locked field", () => pm.expect(json.errors.name[0]).to.include("zendesk"));
        """, body={"name": "Renamed"}, auth="integration",
            prerequest='if (!pm.variables.get("managedCompanyId")) { pm.execution.skipRequest(); }'),
        req("Its revenue may change", "PATCH", ACCOUNT + "/companies/{{managedCompanyId}}", 200, """
            pm.test("revenue", () => pm.expect(json.data.revenue).to.eql(20));
            pm.test("name kept", () => pm.expect(json.data.name).to.include("Managed"));
        """, body={"revenue": 20}, auth="integration",
            prerequest='if (!pm.variables.get("managedCompanyId")) { pm.execution.skipRequest(); }'),
        req("Delete the managed company", "DELETE", ACCOUNT + "/companies/{{managedCompanyId}}", 204,
            auth="integration",
            prerequest='if (!pm.variables.get("managedCompanyId")) { pm.execution.skipRequest(); }'),
    ],
    "Tiers": [
        req("Create", "POST", ACCOUNT + "/customer_tiers", 201,
            'pm.collectionVariables.set("tierId", json.data.id);',
            body={"name": "Enterprise {{runId}}", "color": "#5e6ad2"}),
        req("List", "GET", ACCOUNT + "/customer_tiers", 200,
            'pm.test("listed", () => pm.expect(json.data.map(t => t.id)).to.include(pm.collectionVariables.get("tierId")));'),
        req("Retrieve", "GET", ACCOUNT + "/customer_tiers/{{tierId}}", 200,
            'pm.test("named", () => pm.expect(json.data.name).to.include("Enterprise"));'),
        req("Update", "PATCH", ACCOUNT + "/customer_tiers/{{tierId}}", 200,
            'pm.test("color", () => pm.expect(json.data.color).to.eql("#000000"));', body={"color": "#000000"}),
        req("Update (PUT)", "PUT", ACCOUNT + "/customer_tiers/{{tierId}}", 200,
            'pm.test("renamed", () => { pm.expect(json.data.name).to.include("Premium"); pm.expect(json.data.position).to.eql(3); });',
            body={"name": "Premium {{runId}}", "position": 3}),
        req("Give ACME the tier", "PATCH", ACCOUNT + "/companies/{{companyId}}", 200,
            'pm.test("tier", () => pm.expect(json.data.tier_id).to.eql(pm.collectionVariables.get("tierId")));',
            body={"tier_id": "{{tierId}}"}),
        req("Deleting a tier in use is 409", "DELETE", ACCOUNT + "/customer_tiers/{{tierId}}", 409),
        req("An unknown tier is 422", "PATCH", ACCOUNT + "/companies/{{companyId}}", 422,
            'pm.test("names tier_id", () => pm.expect(json.errors).to.have.property("tier_id"));',
            body={"tier_id": 999999999}),
        req("Take it off ACME", "PATCH", ACCOUNT + "/companies/{{companyId}}", 200,
            'pm.test("no tier", () => pm.expect(json.data.tier_id).to.eql(null));', body={"tier_id": None}),
        req("Delete", "DELETE", ACCOUNT + "/customer_tiers/{{tierId}}", 204),
    ],
    "Statuses": [
        req("Create", "POST", ACCOUNT + "/customer_statuses", 201,
            'pm.collectionVariables.set("statusId", json.data.id);', body={"name": "Churned {{runId}}"}),
        req("List", "GET", ACCOUNT + "/customer_statuses", 200,
            'pm.test("listed", () => pm.expect(json.data.map(s => s.id)).to.include(pm.collectionVariables.get("statusId")));'),
        req("Retrieve", "GET", ACCOUNT + "/customer_statuses/{{statusId}}", 200),
        req("Update (PUT)", "PUT", ACCOUNT + "/customer_statuses/{{statusId}}", 200,
            'pm.test("renamed", () => pm.expect(json.data.name).to.include("Lost"));', body={"name": "Lost {{runId}}"}),
        req("Update (PATCH)", "PATCH", ACCOUNT + "/customer_statuses/{{statusId}}", 200, """
            pm.test("color", () => pm.expect(json.data.color).to.eql("#ff0000"));
            pm.test("name kept", () => pm.expect(json.data.name).to.include("Lost"));
        """, body={"color": "#ff0000"}),
        req("Delete", "DELETE", ACCOUNT + "/customer_statuses/{{statusId}}", 204),
        req("It is gone", "GET", ACCOUNT + "/customer_statuses/{{statusId}}", 404),
    ],
    "Customer requests": [
        req("Create (by company external id, with an attachment)", "POST", ACCOUNT + "/customer_requests", 201, """
            pm.test("company found by external id", () => pm.expect(json.data.company_id).to.eql(pm.collectionVariables.get("companyId")));
            pm.test("attachment", () => pm.expect(json.data.attachment.url).to.eql("https://conversations.support.com/conversations/12345"));
            pm.collectionVariables.set("requestId", json.data.id);
        """, body={"conversation_id": "{{conversationId}}", "body": "Content of the request",
                   "company_external_id": "own-{{runId}}",
                   "attachment_url": "https://conversations.support.com/conversations/12345"}),
        req("Retrieve", "GET", ACCOUNT + "/customer_requests/{{requestId}}", 200,
            'pm.test("body", () => pm.expect(json.data.body).to.eql("Content of the request"));'),
        req("Mark it important", "PATCH", ACCOUNT + "/customer_requests/{{requestId}}", 200,
            'pm.test("priority", () => pm.expect(json.data.priority).to.eql(1));', body={"priority": 1}),
        req("Update (PUT)", "PUT", ACCOUNT + "/customer_requests/{{requestId}}", 200,
            'pm.test("body", () => pm.expect(json.data.body).to.eql("Needs SSO"));', body={"body": "Needs SSO"}),
        req("List the important ones", "GET", ACCOUNT + "/customer_requests?priority=1&company_id={{companyId}}", 200,
            'pm.test("it", () => pm.expect(json.data.map(r => r.id)).to.include(pm.collectionVariables.get("requestId")));'),
        req("The company counts it", "GET", ACCOUNT + "/companies/{{companyId}}", 200, """
            pm.test("counts", () => { pm.expect(json.data.request_count).to.eql(1); pm.expect(json.data.important_request_count).to.eql(1); });
        """),
        req("Without a conversation it is 422", "POST", ACCOUNT + "/customer_requests", 422,
            'pm.test("names conversation_id", () => pm.expect(json.errors).to.have.property("conversation_id"));',
            body={"body": "Orphan"}),
        req("Delete", "DELETE", ACCOUNT + "/customer_requests/{{requestId}}", 204),
    ],
    "Tags": [
        req("Tag the customer", "PATCH", ACCOUNT + "/customers/{{customerId}}", 200,
            'pm.test("normalized", () => pm.expect(json.data.tags).to.eql(["billing issue", `vip-${pm.collectionVariables.get("runId")}`]));',
            body={"tags": ["VIP-{{runId}}", "Billing  Issue"]}),
        req("Filter customers by tag", "GET", ACCOUNT + "/customers?tag=vip-{{runId}}", 200, """
            pm.test("only the tagged", () => pm.expect(json.data.map(c => c.id)).to.eql([pm.collectionVariables.get("customerId")]));
        """),
        req("Several tags: every one", "GET", ACCOUNT + "/customers?tag=vip-{{runId}}&tag=nobody-{{runId}}", 200,
            'pm.test("none carry both", () => pm.expect(json.data).to.eql([]));'),
        req("Tag ACME", "PATCH", ACCOUNT + "/companies/{{companyId}}", 200,
            'pm.test("tags", () => pm.expect(json.data.tags).to.eql([`vip-${pm.collectionVariables.get("runId")}`]));',
            body={"tags": ["vip-{{runId}}"]}),
        req("Count the tags", "GET", ACCOUNT + "/tags?per_page=100", 200, """
            const tag = json.data.find(t => t.name === `vip-${pm.collectionVariables.get("runId")}`);
            pm.test("one customer, one company", () => { pm.expect(tag.customers_count).to.eql(1); pm.expect(tag.companies_count).to.eql(1); });
        """),
        req("A comma is 422", "PATCH", ACCOUNT + "/customers/{{customerId}}", 422,
            'pm.test("names tags.0", () => pm.expect(json.errors).to.have.property("tags.0"));',
            body={"tags": ["a,b"]}),
        req("Untag them", "PATCH", ACCOUNT + "/customers/{{customerId}}", 200,
            'pm.test("none", () => pm.expect(json.data.tags).to.eql([]));', body={"tags": None}),
        req("Untag ACME", "PATCH", ACCOUNT + "/companies/{{companyId}}", 200,
            'pm.test("none", () => pm.expect(json.data.tags).to.eql([]));', body={"tags": []}),
    ],
    "Search & custom attributes": [
        req("Define a list attribute", "POST", ACCOUNT + "/custom_attribute_definitions", 201, """
            pm.test("defined", () => { pm.expect(json.data.type).to.eql("list"); pm.expect(json.data.options).to.eql(["free", "pro"]); });
            pm.collectionVariables.set("definitionId", json.data.id);
        """, body={"key": "plan_{{runId}}", "label": "Plan", "type": "list", "object_type": "customer",
                   "options": ["free", "pro"]}),
        req("A bad definition is 422", "POST", ACCOUNT + "/custom_attribute_definitions", 422,
            'pm.test("names type and key", () => { pm.expect(json.errors).to.have.property("type"); pm.expect(json.errors).to.have.property("key"); });',
            body={"key": "Not A Key", "label": "x", "type": "money", "object_type": "customer"}),
        req("A customer with accents and a value", "POST", ACCOUNT + "/customers", 201, """
            pm.test("value shown", () => pm.expect(json.data.custom_attributes).to.eql({[`plan_${pm.collectionVariables.get("runId")}`]: "pro"}));
            pm.collectionVariables.set("searchedId", json.data.id);
        """, body={"first_name": "Émile", "last_name": "Zola{{runId}}", "phones": [{"phone": "+1 (555) 010-7788"}],
                   "custom_attributes": {"plan_{{runId}}": "pro"}}),
        req("A value of the wrong type is 422", "PATCH", ACCOUNT + "/customers/{{searchedId}}", 422,
            'pm.test("names it", () => pm.expect(json.errors).to.have.property(`custom_attributes.plan_${pm.collectionVariables.get("runId")}`));',
            body={"custom_attributes": {"plan_{{runId}}": "gold"}}),
        req("Search: any order, any case, no accents", "GET", ACCOUNT + "/customers?q=ZOLA{{runId}}%20emile", 200, """
            pm.test("found first", () => pm.expect(json.data[0].id).to.eql(pm.collectionVariables.get("searchedId")));
            pm.test("not counted", () => pm.expect(json.meta).to.not.have.property("total"));
        """),
        req("Search: a prefix and four digits", "GET", ACCOUNT + "/customers?q=zol%207788", 200,
            'pm.test("found", () => pm.expect(json.data.map(c => c.id)).to.include(pm.collectionVariables.get("searchedId")));'),
        req("Search with sort is 422", "GET", ACCOUNT + "/customers?q=zola&sort=name", 422,
            'pm.test("names sort", () => pm.expect(json.errors).to.have.property("sort"));'),
        req("Filter by the attribute", "GET", ACCOUNT + "/customers?custom_attributes[plan_{{runId}}]=pro", 200,
            'pm.test("only it", () => pm.expect(json.data.map(c => c.id)).to.eql([pm.collectionVariables.get("searchedId")]));'),
        req("An undefined attribute filter is 422", "GET", ACCOUNT + "/customers?custom_attributes[nope_{{runId}}]=1", 422,
            'pm.test("names it", () => pm.expect(json.errors).to.have.property(`custom_attributes[nope_${pm.collectionVariables.get("runId")}]`));'),
        req("Delete the definition", "DELETE", ACCOUNT + "/custom_attribute_definitions/{{definitionId}}", 204),
        req("Its values are gone", "GET", ACCOUNT + "/customers/{{searchedId}}", 200,
            'pm.test("none", () => pm.expect(json.data.custom_attributes).to.eql({}));'),
        req("Delete the customer", "DELETE", ACCOUNT + "/customers/{{searchedId}}", 204),
    ],
    "Notes": [
        req("Add a note to the customer", "POST", ACCOUNT + "/customers/{{customerId}}/notes", 201, """
            pm.test("signed and trimmed", () => { pm.expect(json.data.body).to.eql("Prefers **phone** calls."); pm.expect(json.data.author).to.have.property("id"); });
            pm.test("Location", () => pm.expect(pm.response.headers.get("Location")).to.eql(`/api/v1/accounts/${pm.variables.get("accountId")}/customers/${pm.collectionVariables.get("customerId")}/notes/${json.data.id}`));
            pm.collectionVariables.set("noteId", json.data.id);
        """, body={"body": "  Prefers **phone** calls.\n"}),
        req("Add another (form)", "POST", ACCOUNT + "/customers/{{customerId}}/notes", 201,
            'pm.test("body", () => pm.expect(json.data.body).to.eql("Renewal due in March"));',
            form=[("body", "Renewal due in March")]),
        req("List them, newest first", "GET", ACCOUNT + "/customers/{{customerId}}/notes", 200, """
            pm.test("newest first", () => pm.expect(json.data.map(n => n.body)).to.eql(["Renewal due in March", "Prefers **phone** calls."]));
            pm.test("counted", () => pm.expect(json.meta.total).to.eql(2));
        """),
        req("The customer counts them", "GET", ACCOUNT + "/customers/{{customerId}}", 200,
            'pm.test("notes_count", () => pm.expect(json.data.notes_count).to.eql(2));'),
        req("Edit one", "PATCH", ACCOUNT + "/customers/{{customerId}}/notes/{{noteId}}", 200,
            'pm.test("edited", () => pm.expect(json.data.body).to.eql("Prefers email now."));',
            body={"body": "Prefers email now."}),
        req("A blank body is 422", "POST", ACCOUNT + "/customers/{{customerId}}/notes", 422,
            'pm.test("names body", () => pm.expect(json.errors).to.have.property("body"));',
            body={"body": "   "}),
        req("Delete it", "DELETE", ACCOUNT + "/customers/{{customerId}}/notes/{{noteId}}", 204),
        req("It is gone", "GET", ACCOUNT + "/customers/{{customerId}}/notes/{{noteId}}", 404),
        req("A note on ACME", "POST", ACCOUNT + "/companies/{{companyId}}/notes", 201, """
            pm.test("the company's", () => pm.expect(json.data.company_id).to.eql(pm.collectionVariables.get("companyId")));
            pm.collectionVariables.set("companyNoteId", json.data.id);
        """, body={"body": "Signed the annual plan."}),
        req("Retrieve it", "GET", ACCOUNT + "/companies/{{companyId}}/notes/{{companyNoteId}}", 200,
            'pm.test("body", () => pm.expect(json.data.body).to.eql("Signed the annual plan."));'),
        req("Update it (PUT)", "PUT", ACCOUNT + "/companies/{{companyId}}/notes/{{companyNoteId}}", 200,
            'pm.test("body", () => pm.expect(json.data.body).to.eql("Signed the 3-year plan."));',
            body={"body": "Signed the 3-year plan."}),
        req("ACME's notes", "GET", ACCOUNT + "/companies/{{companyId}}/notes", 200,
            'pm.test("listed", () => pm.expect(json.data.map(n => n.id)).to.include(pm.collectionVariables.get("companyNoteId")));'),
        req("Delete ACME's note", "DELETE", ACCOUNT + "/companies/{{companyId}}/notes/{{companyNoteId}}", 204),
    ],
    "Events and webhooks": [
        req("Read the change feed", "GET", ACCOUNT + "/events?per_page=5", 200, """
            pm.test("data is an array", () => pm.expect(json.data).to.be.an("array"));
            pm.test("a next cursor", () => pm.expect(json.meta.next_cursor).to.be.a("string").and.not.empty);
            pm.test("has_more", () => pm.expect(json.meta.has_more).to.be.a("boolean"));
            pm.test("events", () => json.data.forEach(e => { pm.expect(e.id).to.match(/^evt_/); pm.expect(e.type).to.be.a("string"); pm.expect(e).to.have.property("data"); }));
        """),
        req("Create a webhook endpoint (admins)", "POST", ACCOUNT + "/webhook_endpoints", 201, """
            pm.test("a secret, shown once", () => pm.expect(json.data.secret).to.match(/^whsec_/));
            pm.test("Location", () => pm.expect(pm.response.headers.get("Location")).to.eql(`/api/v1/accounts/${pm.variables.get("accountId")}/webhook_endpoints/${json.data.id}`));
            pm.test("events and status", () => { pm.expect(json.data.events).to.eql(["customer.*"]); pm.expect(json.data.enabled).to.eql(true); pm.expect(json.data.status).to.eql("active"); });
            pm.collectionVariables.set("webhookEndpointId", json.data.id);
        """, body={"url": "https://hooks.example.com/supportdesk", "events": ["customer.*"]}),
        req("Retrieve it: no secret", "GET", ACCOUNT + "/webhook_endpoints/{{webhookEndpointId}}", 200, """
            pm.test("the endpoint", () => pm.expect(json.data.url).to.eql("https://hooks.example.com/supportdesk"));
            pm.test("no secret", () => pm.expect(json.data).to.not.have.property("secret"));
        """),
        req("List endpoints", "GET", ACCOUNT + "/webhook_endpoints", 200, """
            pm.test("listed", () => pm.expect(json.data.map(e => e.id)).to.include(pm.collectionVariables.get("webhookEndpointId")));
            pm.test("no secrets", () => json.data.forEach(e => pm.expect(e).to.not.have.property("secret")));
        """),
        req("Disable it (PATCH)", "PATCH", ACCOUNT + "/webhook_endpoints/{{webhookEndpointId}}", 200, """
            pm.test("disabled", () => { pm.expect(json.data.enabled).to.eql(false); pm.expect(json.data.status).to.eql("disabled"); });
        """, body={"enabled": False}),
        req("Its delivery log", "GET", ACCOUNT + "/webhook_endpoints/{{webhookEndpointId}}/deliveries", 200,
            'pm.test("data is an array", () => pm.expect(json.data).to.be.an("array"));'),
        req("An ftp URL is 422", "POST", ACCOUNT + "/webhook_endpoints", 422,
            'pm.test("names url", () => pm.expect(json.errors).to.have.property("url"));',
            body={"url": "ftp://x"}),
        req("Delete it", "DELETE", ACCOUNT + "/webhook_endpoints/{{webhookEndpointId}}", 204),
    ],
    "Clean up": [
        req("Delete the conversation", "DELETE", ACCOUNT + "/conversations/{{conversationId}}", 204),
        req("Delete the guest's conversation", "DELETE", ACCOUNT + "/conversations/{{guestConversationId}}", 204),
        req("Delete a company", "DELETE", ACCOUNT + "/companies/{{company2Id}}", 204),
        req("Delete the customer", "DELETE", ACCOUNT + "/customers/{{customerId}}", 204),
        req("It is gone", "GET", ACCOUNT + "/customers/{{customerId}}", 404),
    ],
}

collection = {
    "info": {
        "name": "supportdesk",
        "description": "Every endpoint of the supportdesk API with tests. Set `baseUrl`, `token` "
                       "(`supportdesk tokens create`, or the first-start curl line) and "
                       "`accountId` in the environment; run the folders in order. "
                       "Generated by scripts/postman/build_collection.py.",
        "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
    "variable": [{"key": "runId", "value": ""}],
    "item": [{"name": name, "item": items} for name, items in FOLDERS.items()],
}
environment = {
    "name": "supportdesk (local)",
    "values": [
        {"key": "baseUrl", "value": "http://127.0.0.1:8080", "enabled": True},
        {"key": "token", "value": "", "type": "secret", "enabled": True},
        {"key": "accountId", "value": "1", "enabled": True},
        # Optional: `supportdesk tokens create --user ID --integration zendesk`; when empty, the
        # managed-company requests are skipped.
        {"key": "integrationToken", "value": "", "type": "secret", "enabled": True},
    ],
}
for name, doc in [("postman_collection.json", collection), ("postman_environment.json", environment)]:
    (ROOT / "docs" / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
print(sum(len(items) for items in FOLDERS.values()), "requests")
