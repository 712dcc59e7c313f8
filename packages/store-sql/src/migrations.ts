import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrator from "effect/sql/Migrator"
import type { SqlError } from "effect/sql/SqlError"

/** Channel on which PostgreSQL announces a task that reached a final state (payload: its id). */
export const finalChannel = "codebox_task_final"

/**
 * One schema for PostgreSQL and PGlite. Timestamps are epoch ms (bigint), results JSONB. The
 * indexes serve the API (by id), the dashboard (recent tasks, by state or language, newest first),
 * the reconciler (unfinished tasks by last change) and the retention cleanup (finished before).
 */
const m0001_tasks = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE codebox_tasks (
      task_id      text PRIMARY KEY,
      language     text NOT NULL,
      source_code  text NOT NULL,
      stdin        text,
      args         jsonb NOT NULL,
      limits       jsonb NOT NULL,
      input_files  jsonb NOT NULL,
      state        text NOT NULL CHECK (state IN ('PENDING','RECEIVED','STARTED','RETRY','SUCCESS','FAILURE','REVOKED')),
      attempts     integer NOT NULL DEFAULT 0,
      error        text,
      worker       text,
      created_at   bigint NOT NULL,
      started_at   bigint,
      finished_at  bigint,
      result       jsonb
    )`
  yield* sql`CREATE INDEX codebox_tasks_created ON codebox_tasks (created_at DESC)`
  yield* sql`CREATE INDEX codebox_tasks_state_created ON codebox_tasks (state, created_at DESC)`
  yield* sql`CREATE INDEX codebox_tasks_language_created ON codebox_tasks (language, created_at DESC)`
  yield* sql`
    CREATE INDEX codebox_tasks_unfinished ON codebox_tasks ((coalesce(started_at, created_at)))
    WHERE state IN ('PENDING','RECEIVED','STARTED','RETRY')`
  yield* sql`CREATE INDEX codebox_tasks_finished ON codebox_tasks (finished_at) WHERE finished_at IS NOT NULL`
  // A trigger rather than a NOTIFY in each statement: every writer (any process, any version)
  // wakes the waiters, and the notification is sent only when the transaction commits.
  yield* sql.unsafe(`
    CREATE FUNCTION codebox_notify_final() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${finalChannel}', NEW.task_id);
      RETURN NULL;
    END $$`)
  yield* sql`
    CREATE TRIGGER codebox_tasks_final AFTER INSERT OR UPDATE OF state ON codebox_tasks
    FOR EACH ROW WHEN (NEW.state IN ('SUCCESS','FAILURE','REVOKED'))
    EXECUTE FUNCTION codebox_notify_final()`
  yield* sql`
    CREATE TABLE codebox_workers (
      name         text PRIMARY KEY,
      concurrency  integer NOT NULL,
      running      integer NOT NULL,
      completed    bigint NOT NULL,
      state        text NOT NULL CHECK (state IN ('running','stopping','stopped')),
      started_at   bigint NOT NULL,
      last_seen    bigint NOT NULL
    )`
})

/** Tenants: the key (as a derived id, never the key) a task was created with; null without keys. */
const m0002_task_owner = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE codebox_tasks ADD COLUMN owner text`
  yield* sql`CREATE INDEX codebox_tasks_owner_created ON codebox_tasks (owner, created_at DESC)`
})

/**
 * What programs printed, as bytes in chunks beside the task: JSONB cannot hold a NUL, escapes
 * control characters six-fold, and one row over the client's 16 MiB message limit breaks the
 * connection. A task whose `output_chunked` is true keeps its streams here, its JSONB result without
 * them; older rows keep them in the JSONB result.
 */
const m0003_task_output = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE codebox_tasks ADD COLUMN output_chunked boolean NOT NULL DEFAULT false`
  yield* sql`
    CREATE TABLE codebox_task_output (
      task_id  text NOT NULL REFERENCES codebox_tasks (task_id) ON DELETE CASCADE,
      stream   text NOT NULL CHECK (stream IN ('stdout','stderr','compile_stdout','compile_stderr')),
      seq      integer NOT NULL,
      chunk    bytea NOT NULL,
      PRIMARY KEY (task_id, stream, seq)
    )`
})

/**
 * Judge mode: a task's test cases and comparison, as JSON text (null for a plain run). Text rather
 * than JSONB, because a case's stdin or expected output may hold a NUL, which JSONB cannot.
 */
const m0004_task_judge = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE codebox_tasks ADD COLUMN judge text`
})

/**
 * Request counts per client, budget and window, shared by every server replica on the database
 * (see SqlRateCounter). A row outlives its window only until the next prune.
 */
const m0005_rate_counts = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE codebox_rate_counts (
      key           text NOT NULL,
      window_start  bigint NOT NULL,
      window_end    bigint NOT NULL,
      count         integer NOT NULL,
      PRIMARY KEY (key, window_start)
    )`
  yield* sql`CREATE INDEX codebox_rate_counts_end ON codebox_rate_counts (window_end)`
})

/**
 * Result callbacks waiting to be delivered (see SqlCallbackOutbox): one row per task, written when
 * the task is accepted, due once the task is final and `next_at` has come. Deleted with its task.
 */
const m0006_callbacks = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE codebox_callbacks (
      task_id      text PRIMARY KEY REFERENCES codebox_tasks (task_id) ON DELETE CASCADE,
      url          text NOT NULL,
      state        text NOT NULL CHECK (state IN ('pending','delivered','failed')),
      tries        integer NOT NULL DEFAULT 0,
      last_status  integer,
      last_error   text,
      next_at      bigint NOT NULL DEFAULT 0,
      lease_owner  text,
      lease_until  bigint NOT NULL DEFAULT 0
    )`
  yield* sql`CREATE INDEX codebox_callbacks_pending ON codebox_callbacks (next_at) WHERE state = 'pending'`
})

const migrationRecord = {
  "0001_tasks": m0001_tasks,
  "0002_task_owner": m0002_task_owner,
  "0003_task_output": m0003_task_output,
  "0004_task_judge": m0004_task_judge,
  "0005_rate_counts": m0005_rate_counts,
  "0006_callbacks": m0006_callbacks
}
export const migrations = Migrator.fromRecord(migrationRecord)
/** How many migrations a fresh database gets. */
export const migrationCount = Object.keys(migrationRecord).length

/** Arbitrary, fixed: serialises concurrent start-ups (server and workers) on one database. */
const migrationLock = 0x636f6462

/**
 * Applies the migrations not yet applied. Safe when several processes start at once: they queue
 * on an advisory lock, and the later ones find nothing left to do.
 */
export const migrate: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  return yield* sql.withTransaction(
    Effect.gen(function* () {
      yield* sql`SELECT pg_advisory_xact_lock(${migrationLock})`
      return yield* Migrator.make({})({ loader: migrations, table: "codebox_migrations" })
    })
  )
})
