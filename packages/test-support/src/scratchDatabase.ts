import { randomBytes } from "node:crypto"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { StoreError } from "@codebox/core"
import { useServices } from "./serviceLock.ts"

/** The PostgreSQL server tests and benchmarks create their scratch databases on (CI: local, trust auth). */
export const testDatabaseUrl = process.env.CODEBOX_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"

/**
 * A throwaway PostgreSQL database for tests and benchmarks: created on acquire (named
 * `codebox_test_<random>` so parallel runs do not collide) and dropped on release, even when
 * clients are still connected. Holds a shared claim on the services, so a fault test does not
 * restart PostgreSQL under it. `serverUrl` is any database on the server the role may connect to.
 */
export const scratchDatabase = (serverUrl: string) =>
  Effect.gen(function* () {
    yield* useServices
    const name = `codebox_test_${randomBytes(6).toString("hex")}`
    const admin = (statement: string) =>
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        yield* sql.unsafe(statement)
      }).pipe(
        Effect.provide(PgClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1 })),
        Effect.mapError((e) => new StoreError({ message: `${statement}: ${e.message}`, cause: e }))
      )
    yield* Effect.acquireRelease(admin(`CREATE DATABASE ${name}`), () =>
      admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).pipe(Effect.ignore)
    )
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    return url.toString()
  })

/** `PgClient` on a fresh scratch database, for tests. */
export const layerScratchClient = (serverUrl: string) =>
  Layer.unwrap(Effect.map(scratchDatabase(serverUrl), (url) => PgClient.layer({ url: Redacted.make(url) })))

/** Runs one statement on the database at `url` (tests: audit triggers, inspection). */
export const runStatement = (url: string, statement: string) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    return yield* sql.unsafe<Record<string, unknown>>(statement)
  }).pipe(
    Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })),
    Effect.mapError((e) => new StoreError({ message: `${statement}: ${e.message}`, cause: e }))
  )
