-- Finding a lead by email (import's duplicate check) without scanning every lead.
CREATE INDEX leads_by_email ON leads (lower(email)) WHERE email IS NOT NULL AND deleted_at IS NULL;
