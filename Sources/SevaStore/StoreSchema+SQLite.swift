extension StoreSchema {
    /// SQLite's migrations; migration N (1-based) brings a version N−1 database to version N.
    ///
    /// `job_events.seq` is a plain INTEGER PRIMARY KEY: SQLite gives each new row the highest
    /// rowid + 1, and since events are never deleted that is a global, increasing sequence —
    /// without AUTOINCREMENT's extra write to `sqlite_sequence` on every insert.
    static let sqliteMigrations: [String] = [
        // 1: the registry and the job lifecycle.
        """
        CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            skills TEXT NOT NULL,
            district TEXT NOT NULL DEFAULT '',
            verified INTEGER NOT NULL DEFAULT 0,
            radius_km REAL,
            availability TEXT NOT NULL DEFAULT 'off',
            rating_sum INTEGER NOT NULL DEFAULT 0,
            rating_count INTEGER NOT NULL DEFAULT 0,
            updated_ms INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE tokens (
            hash BLOB PRIMARY KEY,
            prefix TEXT NOT NULL,
            role TEXT NOT NULL,
            worker TEXT REFERENCES workers(id) ON DELETE CASCADE,
            label TEXT NOT NULL DEFAULT '',
            created_ms INTEGER NOT NULL,
            revoked_ms INTEGER
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX tokens_by_prefix ON tokens(prefix);
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            ref TEXT UNIQUE,
            skill TEXT NOT NULL,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            customer TEXT NOT NULL DEFAULT '',
            district TEXT NOT NULL DEFAULT '',
            rate_inr INTEGER,
            scheduled_ms INTEGER,
            state TEXT NOT NULL,
            worker TEXT,
            offer_deadline_ms INTEGER,
            offers_made INTEGER NOT NULL DEFAULT 0,
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX jobs_by_state ON jobs(state, id);
        CREATE TABLE job_events (
            seq INTEGER PRIMARY KEY,
            job INTEGER NOT NULL REFERENCES jobs(id),
            at_ms INTEGER NOT NULL,
            state TEXT NOT NULL,
            worker TEXT,
            detail TEXT NOT NULL DEFAULT '{}'
        ) STRICT;
        CREATE INDEX job_events_by_job ON job_events(job, seq);
        CREATE TABLE worker_positions (
            worker TEXT PRIMARY KEY REFERENCES workers(id) ON DELETE CASCADE,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            accuracy_m REAL,
            at_ms INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE store_health (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            probed_ms INTEGER NOT NULL
        ) STRICT;
        INSERT INTO store_health (id, probed_ms) VALUES (1, 0);
        """,
        // 2: sampled location history — personal data, kept apart and purged by age.
        """
        CREATE TABLE location_history (
            worker TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            PRIMARY KEY (worker, at_ms)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX location_history_by_age ON location_history(at_ms);
        """,
        // 3: the token lifecycle — an optional expiry and the last successful AUTH.
        """
        ALTER TABLE tokens ADD COLUMN expires_ms INTEGER;
        ALTER TABLE tokens ADD COLUMN last_used_ms INTEGER;
        """,
        // 4: whose job it is — a booker token's client, and each job's; `ref` unique per client.
        // SQLite cannot drop a column's UNIQUE, so `jobs` is rebuilt (foreign keys are off
        // around the migration and checked before it commits). Older jobs belong to no
        // client ('') and only admins and viewers see them.
        """
        ALTER TABLE tokens ADD COLUMN client TEXT;
        CREATE TABLE jobs_v4 (
            id INTEGER PRIMARY KEY,
            ref TEXT,
            skill TEXT NOT NULL,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            customer TEXT NOT NULL DEFAULT '',
            district TEXT NOT NULL DEFAULT '',
            rate_inr INTEGER,
            scheduled_ms INTEGER,
            state TEXT NOT NULL,
            worker TEXT,
            offer_deadline_ms INTEGER,
            offers_made INTEGER NOT NULL DEFAULT 0,
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL,
            client TEXT NOT NULL DEFAULT '',
            UNIQUE (client, ref)
        ) STRICT;
        INSERT INTO jobs_v4 (id, ref, skill, lat, lon, address, customer, district, rate_inr, scheduled_ms, state,
            worker, offer_deadline_ms, offers_made, created_ms, updated_ms, client)
            SELECT id, ref, skill, lat, lon, address, customer, district, rate_inr, scheduled_ms, state,
                worker, offer_deadline_ms, offers_made, created_ms, updated_ms, '' FROM jobs;
        DROP TABLE jobs;
        ALTER TABLE jobs_v4 RENAME TO jobs;
        CREATE INDEX jobs_by_state ON jobs(state, id);
        CREATE INDEX jobs_by_client ON jobs(client, id);
        """,
        // 5: how a job was placed (GPS, a PIN code's centroid, a district's centre), the PIN
        // code of a job and of a worker's home. Jobs from before were placed by GPS or by a
        // configured district centre; which, nothing recorded: they read as GPS.
        """
        ALTER TABLE jobs ADD COLUMN placed TEXT NOT NULL DEFAULT 'gps';
        ALTER TABLE jobs ADD COLUMN pincode INTEGER;
        ALTER TABLE workers ADD COLUMN pincode INTEGER;
        """,
        // 6: what an event records — a move to its state, or a household's rating of a
        // completed job (JOB RATE), which leaves the state as it was.
        """
        ALTER TABLE job_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'transition';
        """,
    ]
}
