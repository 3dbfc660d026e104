-- Company domains have one key form: lower-case ASCII with internationalised labels in punycode
-- (xn--mller-kva.de), the form a website's domain always had. An email's domain used to be kept
-- in Unicode (müller.de), so one firm could become two companies. SQLite cannot compute
-- punycode: this lists the companies whose domain is not in that form, and the store, right
-- after migrating, merges each into the company with its canonical domain (or gives it that
-- domain when there is none) and empties the list. Timestamps are Unix milliseconds (UTC).
CREATE TABLE company_domain_fixes (
    company_id INTEGER PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE
) STRICT;

INSERT INTO company_domain_fixes (company_id)
SELECT id FROM companies
WHERE domain IS NOT NULL AND (domain GLOB '*[^ -~]*' OR domain <> lower(domain));
