-- wxpay callback inbox, migration 1 (busifavor::callback::PostgresStore).
--
-- One row per WeChat Pay notification id: the idempotency state of its processing and, for
-- reconciliation and audit, what was received and how often it was tried. Safe to run more
-- than once. `PostgresStore::migrate` runs it (inside a transaction, under an advisory lock),
-- with `wxpay_callback_inbox` replaced by the configured table name; you may also run it with
-- your own migration tool.
--
-- status: processing (claimed, lease until lease_until), completed (the user's function
-- succeeded), released (it failed; the next delivery claims the row again).

CREATE SEQUENCE IF NOT EXISTS wxpay_callback_inbox_fencing AS bigint;

CREATE TABLE IF NOT EXISTS wxpay_callback_inbox (
    notification_id text        PRIMARY KEY,
    event_type      text        NOT NULL,
    create_time     text        NOT NULL,
    -- The decrypted resource (NULL when the store is told not to keep it). It holds user
    -- identifiers (openid, unionid): protect this table like your own customer data.
    event           jsonb,
    status          text        NOT NULL
                    CHECK (status IN ('processing', 'completed', 'released')),
    -- The current claim: its compare-and-set token, fencing number and lease expiry.
    token           text        NOT NULL,
    fencing         bigint      NOT NULL,
    lease_until     timestamptz,
    attempts        integer     NOT NULL DEFAULT 1,
    last_error      text,
    received_at     timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz
);

CREATE INDEX IF NOT EXISTS wxpay_callback_inbox_status_idx
    ON wxpay_callback_inbox (status, updated_at);
