import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Console, Effect } from "effect"
import { Profile, readProfile } from "./Profile.ts"

const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))

const prodEnv = {
  CODEBOX_PROFILE: "prod",
  CODEBOX_API_KEYS: "k1,k2",
  DATABASE_URL: "postgres://db/codebox",
  CODEBOX_AMQP_URL: "amqp://mq"
}

describe("Profile", () => {
  it.effect("dev is the default: pretty debug logs, nothing required", () =>
    Effect.gen(function* () {
      const profile = yield* readProfile("server")
      assert.deepStrictEqual(profile, { name: "dev", app: "server", logFormat: "pretty", logLevel: "Debug" })
    }).pipe(withEnv({}))
  )

  it.effect("prod with everything set starts, logging JSON at Info", () =>
    Effect.gen(function* () {
      const profile = yield* readProfile("server")
      assert.deepStrictEqual(profile, { name: "prod", app: "server", logFormat: "json", logLevel: "Info" })
    }).pipe(withEnv(prodEnv))
  )

  it.effect("prod refuses to start, naming every missing setting (blank counts as missing)", () =>
    Effect.gen(function* () {
      const error = yield* readProfile("server").pipe(Effect.flip)
      assert.strictEqual(error._tag, "MissingSettings")
      if (error._tag !== "MissingSettings") return
      assert.deepStrictEqual(
        error.missing.map((m) => m.split(" ")[0]),
        ["CODEBOX_API_KEYS", "CODEBOX_AMQP_URL"]
      )
      assert.include(error.message, "CODEBOX_API_KEYS")
      assert.include(error.message, "CODEBOX_AMQP_URL")
      assert.notInclude(error.message, "DATABASE_URL")
    }).pipe(withEnv({ CODEBOX_PROFILE: "prod", CODEBOX_API_KEYS: "  ", DATABASE_URL: "postgres://db" }))
  )

  it.effect("a worker in prod needs the database and the queue, not API keys", () =>
    Effect.gen(function* () {
      const profile = yield* readProfile("worker")
      assert.strictEqual(profile.name, "prod")
      const error = yield* readProfile("worker").pipe(withEnv({ CODEBOX_PROFILE: "prod", DATABASE_URL: "postgres://db" }), Effect.flip)
      assert.strictEqual(error._tag, "MissingSettings")
      if (error._tag === "MissingSettings")
        assert.deepStrictEqual(
          error.missing.map((m) => m.split(" ")[0]),
          ["CODEBOX_AMQP_URL"]
        )
    }).pipe(withEnv({ CODEBOX_PROFILE: "prod", DATABASE_URL: "postgres://db", CODEBOX_AMQP_URL: "amqp://mq" }))
  )

  it.effect("an unknown profile or log format is an error naming the setting", () =>
    Effect.gen(function* () {
      const badProfile = yield* readProfile("server").pipe(withEnv({ CODEBOX_PROFILE: "production" }), Effect.flip)
      assert.deepInclude(badProfile, { _tag: "InvalidSetting", setting: "CODEBOX_PROFILE" })
      const badFormat = yield* readProfile("server").pipe(withEnv({ CODEBOX_LOG_FORMAT: "xml" }), Effect.flip)
      assert.deepInclude(badFormat, { _tag: "InvalidSetting", setting: "CODEBOX_LOG_FORMAT" })
    })
  )

  it.effect("prod logs one JSON object per line with the annotations", () => {
    const lines: Array<string> = []
    const capture: Console.Console = { ...globalThis.console, log: (line: unknown) => void lines.push(String(line)) }
    return Effect.gen(function* () {
      yield* Effect.logInfo("cleanup finished").pipe(Effect.annotateLogs({ tasks_removed: 3 }))
      yield* Effect.logDebug("not shown at Info")
      assert.strictEqual(lines.length, 1)
      const entry = JSON.parse(lines[0]!)
      assert.deepInclude(entry, { message: "cleanup finished", level: "INFO" })
      assert.deepStrictEqual(entry.annotations, { tasks_removed: 3 })
    }).pipe(
      Effect.provide(Profile.layerWithLogging("worker")),
      withEnv({ CODEBOX_PROFILE: "prod", DATABASE_URL: "postgres://db", CODEBOX_AMQP_URL: "amqp://mq" }),
      Effect.provideService(Console.Console, capture)
    )
  })
})
