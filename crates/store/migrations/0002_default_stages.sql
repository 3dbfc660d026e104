-- A new database starts with a typical sales pipeline. A database that already has stages
-- (restored, or created by a later schema) keeps its own.

INSERT INTO pipeline_stages (name, kind, color, position, created_at, updated_at)
SELECT name, kind, color, position, unixepoch() * 1000, unixepoch() * 1000
FROM (
    SELECT 'New'       AS name, 'open' AS kind, '#64748b' AS color, 0 AS position
    UNION ALL SELECT 'Contacted', 'open', '#3b82f6', 1
    UNION ALL SELECT 'Qualified', 'open', '#8b5cf6', 2
    UNION ALL SELECT 'Proposal',  'open', '#f59e0b', 3
    UNION ALL SELECT 'Won',       'won',  '#10b981', 4
    UNION ALL SELECT 'Lost',      'lost', '#ef4444', 5
)
WHERE NOT EXISTS (SELECT 1 FROM pipeline_stages);
