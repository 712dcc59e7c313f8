import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { PgClient } from "@effect/sql-pg"
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { Effect, Layer } from "effect"
import { StoreError } from "@codebox/core"

export interface PgliteServerOptions {
  /** Where PGlite keeps its files; omitted: in memory, gone when the layer is released. */
  readonly dataDir?: string | undefined
}

/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly) in this process, reached
 * through `pglite-socket` by the same `@effect/sql-pg` client as a real PostgreSQL, so the store
 * has one dialect and one set of migrations. The socket is a unix socket in a private directory
 * (mode 0700), so no other user and no sandbox can reach it.
 *
 * PGlite is a single session: every socket connection shares it, so the client keeps one
 * connection (transactions cannot interleave) and LISTEN is not used (notifications are not
 * forwarded through the socket; the store wakes its waiters itself).
 */
export const layerClient = (options: PgliteServerOptions = {}) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const socketDir = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "codebox-pglite-"))),
        (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
      )
      const socketPath = path.join(socketDir, ".s.PGSQL.5432")
      const db = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            if (options.dataDir !== undefined) await fs.promises.mkdir(options.dataDir, { recursive: true, mode: 0o700 })
            return await PGlite.create(options.dataDir)
          },
          catch: (cause) =>
            new StoreError({ message: `cannot open the embedded database in ${options.dataDir ?? "memory"}: ${String(cause)}`, cause })
        }),
        (db) => Effect.promise(() => db.close()).pipe(Effect.ignore)
      )
      yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 })
            await server.start()
            fs.chmodSync(socketPath, 0o600)
            return server
          },
          catch: (cause) => new StoreError({ message: `cannot open the embedded database's socket: ${String(cause)}`, cause })
        }),
        (server) => Effect.promise(() => server.stop()).pipe(Effect.ignore)
      )
      return PgClient.layerFrom(
        PgClient.make({ path: socketPath, username: "postgres", database: "postgres", maxConnections: 1 }).pipe(
          Effect.mapError((e) => new StoreError({ message: `cannot connect to the embedded database: ${e.message}`, cause: e }))
        )
      )
    })
  )
