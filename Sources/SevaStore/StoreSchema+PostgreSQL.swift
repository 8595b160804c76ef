extension StoreSchema {
    /// PostgreSQL's migrations, version for version the same tables as SQLite's: INTEGER as
    /// BIGINT, REAL as DOUBLE PRECISION, BLOB as BYTEA, and every text column in the "C"
    /// collation, so that ids and prefixes sort by their bytes as they do in SQLite.
    /// `jobs.id` and `job_events.seq` are plain keys: the store's one writer gives each new row
    /// the highest + 1, as SQLite does, so both are gap-free and increasing.
    static let postgresMigrations: [String] = [
        // 1: the registry and the job lifecycle.
        """
        CREATE TABLE workers (
            id TEXT COLLATE "C" PRIMARY KEY,
            name TEXT COLLATE "C" NOT NULL DEFAULT '',
            phone TEXT COLLATE "C" NOT NULL DEFAULT '',
            skills TEXT COLLATE "C" NOT NULL,
            district TEXT COLLATE "C" NOT NULL DEFAULT '',
            verified BIGINT NOT NULL DEFAULT 0,
            radius_km DOUBLE PRECISION,
            availability TEXT COLLATE "C" NOT NULL DEFAULT 'off',
            rating_sum BIGINT NOT NULL DEFAULT 0,
            rating_count BIGINT NOT NULL DEFAULT 0,
            updated_ms BIGINT NOT NULL
        );
        CREATE TABLE tokens (
            hash BYTEA PRIMARY KEY,
            prefix TEXT COLLATE "C" NOT NULL,
            role TEXT COLLATE "C" NOT NULL,
            worker TEXT COLLATE "C" REFERENCES workers(id) ON DELETE CASCADE,
            label TEXT COLLATE "C" NOT NULL DEFAULT '',
            created_ms BIGINT NOT NULL,
            revoked_ms BIGINT
        );
        CREATE INDEX tokens_by_prefix ON tokens(prefix);
        CREATE TABLE jobs (
            id BIGINT PRIMARY KEY,
            ref TEXT COLLATE "C" UNIQUE,
            skill TEXT COLLATE "C" NOT NULL,
            lat DOUBLE PRECISION NOT NULL,
            lon DOUBLE PRECISION NOT NULL,
            address TEXT COLLATE "C" NOT NULL DEFAULT '',
            customer TEXT COLLATE "C" NOT NULL DEFAULT '',
            district TEXT COLLATE "C" NOT NULL DEFAULT '',
            rate_inr BIGINT,
            scheduled_ms BIGINT,
            state TEXT COLLATE "C" NOT NULL,
            worker TEXT COLLATE "C",
            offer_deadline_ms BIGINT,
            offers_made BIGINT NOT NULL DEFAULT 0,
            created_ms BIGINT NOT NULL,
            updated_ms BIGINT NOT NULL
        );
        CREATE INDEX jobs_by_state ON jobs(state, id);
        CREATE TABLE job_events (
            seq BIGINT PRIMARY KEY,
            job BIGINT NOT NULL REFERENCES jobs(id),
            at_ms BIGINT NOT NULL,
            state TEXT COLLATE "C" NOT NULL,
            worker TEXT COLLATE "C",
            detail TEXT COLLATE "C" NOT NULL DEFAULT '{}'
        );
        CREATE INDEX job_events_by_job ON job_events(job, seq);
        CREATE TABLE worker_positions (
            worker TEXT COLLATE "C" PRIMARY KEY REFERENCES workers(id) ON DELETE CASCADE,
            lat DOUBLE PRECISION NOT NULL,
            lon DOUBLE PRECISION NOT NULL,
            accuracy_m DOUBLE PRECISION,
            at_ms BIGINT NOT NULL
        );
        CREATE TABLE store_health (
            id BIGINT PRIMARY KEY CHECK (id = 1),
            probed_ms BIGINT NOT NULL
        );
        INSERT INTO store_health (id, probed_ms) VALUES (1, 0);
        """,
        // 2: sampled location history — personal data, kept apart and purged by age.
        """
        CREATE TABLE location_history (
            worker TEXT COLLATE "C" NOT NULL,
            at_ms BIGINT NOT NULL,
            lat DOUBLE PRECISION NOT NULL,
            lon DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (worker, at_ms)
        );
        CREATE INDEX location_history_by_age ON location_history(at_ms);
        """,
        // 3: the token lifecycle — an optional expiry and the last successful AUTH.
        """
        ALTER TABLE tokens ADD COLUMN expires_ms BIGINT;
        ALTER TABLE tokens ADD COLUMN last_used_ms BIGINT;
        """,
        // 4: whose job it is — a booker token's client, and each job's; `ref` unique per client.
        """
        ALTER TABLE tokens ADD COLUMN client TEXT COLLATE "C";
        ALTER TABLE jobs ADD COLUMN client TEXT COLLATE "C" NOT NULL DEFAULT '';
        ALTER TABLE jobs DROP CONSTRAINT jobs_ref_key;
        ALTER TABLE jobs ADD CONSTRAINT jobs_client_ref_key UNIQUE (client, ref);
        CREATE INDEX jobs_by_client ON jobs(client, id);
        """,
        // 5: how a job was placed, the PIN code of a job and of a worker's home.
        """
        ALTER TABLE jobs ADD COLUMN placed TEXT COLLATE "C" NOT NULL DEFAULT 'gps';
        ALTER TABLE jobs ADD COLUMN pincode BIGINT;
        ALTER TABLE workers ADD COLUMN pincode BIGINT;
        """,
        // 6: what an event records — a move to its state, or a household's rating.
        """
        ALTER TABLE job_events ADD COLUMN kind TEXT COLLATE "C" NOT NULL DEFAULT 'transition';
        """,
    ]
}
