-- Custom fields: fields the user defines in Settings (text, number, date, single choice, URL)
-- and each lead's value for them. Timestamps are Unix milliseconds (UTC).

CREATE TABLE custom_fields (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    kind        TEXT    NOT NULL CHECK (kind IN ('text', 'number', 'date', 'choice', 'url')),
    -- The allowed values of a `choice` field, in the order the select offers them (JSON array
    -- of strings); `[]` for the other kinds.
    choices     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(choices)),
    -- 0-based order in Settings, the drawer and exports.
    position    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Names are unique whatever their case: "Budget" and "budget" would be the same export column.
CREATE UNIQUE INDEX custom_fields_name ON custom_fields (name COLLATE NOCASE);

-- One row per lead and field that holds a value; no row means empty. The value is the
-- domain's normalised text: a number in its shortest decimal form, a date as `YYYY-MM-DD`, a
-- URL as parsed, a choice spelled as defined. Deleting a field deletes its values.
CREATE TABLE lead_field_values (
    lead_id     INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    field_id    INTEGER NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    value       TEXT    NOT NULL CHECK (length(value) > 0),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (lead_id, field_id)
) STRICT, WITHOUT ROWID;

-- Filters and counts by field ("leads whose Budget is between ..."; "12 leads hold a value").
CREATE INDEX lead_field_values_by_field ON lead_field_values (field_id, value);

-- Search finds a lead by its custom values: one search row per lead holding any, at the rowid
-- slot the other kinds leave free (lead id * 4 + 0), kind 'field', pointing at the lead. Kept by
-- these triggers, so every write path (the drawer, an import, a merge, a field deleted) keeps it.
CREATE TRIGGER lead_field_values_search_insert AFTER INSERT ON lead_field_values BEGIN
    DELETE FROM search_index WHERE rowid = new.lead_id * 4;
    INSERT INTO search_index (rowid, kind, ref_id, title, body)
    SELECT new.lead_id * 4, 'field', new.lead_id, '', group_concat(value, ' ')
    FROM lead_field_values WHERE lead_id = new.lead_id HAVING count(*) > 0;
END;

CREATE TRIGGER lead_field_values_search_update AFTER UPDATE OF value ON lead_field_values BEGIN
    DELETE FROM search_index WHERE rowid = new.lead_id * 4;
    INSERT INTO search_index (rowid, kind, ref_id, title, body)
    SELECT new.lead_id * 4, 'field', new.lead_id, '', group_concat(value, ' ')
    FROM lead_field_values WHERE lead_id = new.lead_id HAVING count(*) > 0;
END;

CREATE TRIGGER lead_field_values_search_delete AFTER DELETE ON lead_field_values BEGIN
    DELETE FROM search_index WHERE rowid = old.lead_id * 4;
    INSERT INTO search_index (rowid, kind, ref_id, title, body)
    SELECT old.lead_id * 4, 'field', old.lead_id, '', group_concat(value, ' ')
    FROM lead_field_values WHERE lead_id = old.lead_id HAVING count(*) > 0;
END;
