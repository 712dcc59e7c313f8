import { Profile, layerPostgresClient, readInfrastructure } from "@codebox/app"
import { migrate, PgliteServer } from "@codebox/store-sql"
import { NodeRuntime } from "@effect/platform-node"
import * as path from "node:path"
import { Effect, Layer, Option } from "effect"

// `npm run migrate`: applies the store's migrations to DATABASE_URL (else the embedded database in
// CODEBOX_DATA_DIR/db) and exits. Servers and workers also migrate at start; this is for deploys
// that want the schema in place first.
const program = Effect.gen(function* () {
  const settings = yield* readInfrastructure
  const client = Option.match(settings.databaseUrl, {
    onSome: layerPostgresClient,
    onNone: () => PgliteServer.layerClient({ dataDir: path.join(settings.dataDir, "db") })
  })
  const applied = yield* migrate.pipe(Effect.provide(client))
  yield* Effect.logInfo(
    applied.length === 0 ? "the database is up to date" : `applied ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}`
  )
})

program.pipe(Effect.provide(Layer.orDie(Profile.layerWithLogging("worker"))), NodeRuntime.runMain)
