-- The bot's own tables (see bot/store/base.py for what each holds); times are Unix seconds.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    received_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX deliveries_by_time ON deliveries (received_at);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    action TEXT NOT NULL,
    payload BYTEA NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at DOUBLE PRECISION,
    available_at DOUBLE PRECISION NOT NULL,
    last_error TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX jobs_by_status ON jobs (status, available_at);

CREATE TABLE runs (
    thread_id TEXT PRIMARY KEY,
    repo TEXT NOT NULL,
    stage TEXT NOT NULL,
    status_comment_id BIGINT,
    pr_number INTEGER,
    branch TEXT,
    bot_commits_in_a_row INTEGER NOT NULL DEFAULT 0,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX runs_by_pr ON runs (repo, pr_number);
CREATE INDEX runs_by_branch ON runs (repo, branch);

CREATE TABLE heal_attempts (
    thread_id TEXT NOT NULL,
    head_sha TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (thread_id, head_sha)
);

CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX locks_by_owner ON locks (owner);
