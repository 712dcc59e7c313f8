import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { ServerConfig } from "./config.ts"

const read = (env: Record<string, string>) =>
  Effect.gen(function* () {
    return yield* ServerConfig
  }).pipe(Effect.provide(ServerConfig.layer.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))))))

describe("server settings: callbacks", () => {
  it.effect("read the secret, the allow list and the retry waits; default to callbacks off and 6 tries", () =>
    Effect.gen(function* () {
      const defaults = yield* read({})
      expect(defaults.callbackSecret).toBeNull()
      expect(defaults.callbackAllow).toEqual([])
      expect(defaults.callbackRetrySeconds).toEqual([20, 40, 80, 160, 320])
      const set = yield* read({
        CODEBOX_CALLBACK_SECRET: "s3cret",
        CODEBOX_CALLBACK_ALLOW: "hooks.internal, 10.0.0.0/8",
        CODEBOX_CALLBACK_RETRY_SECONDS: "1,2.5"
      })
      expect(Redacted.value(set.callbackSecret!)).toBe("s3cret")
      expect(set.callbackAllow).toEqual(["hooks.internal", "10.0.0.0/8"])
      expect(set.callbackRetrySeconds).toEqual([1, 2.5])
    })
  )

  it.effect("refuse a malformed allow entry or retry wait at start, naming the setting", () =>
    Effect.gen(function* () {
      const badAllow = yield* Effect.flip(read({ CODEBOX_CALLBACK_ALLOW: "10.0.0.0/40" }))
      expect(badAllow.message).toContain("CODEBOX_CALLBACK_ALLOW")
      const badWait = yield* Effect.flip(read({ CODEBOX_CALLBACK_RETRY_SECONDS: "10,soon" }))
      expect(badWait.message).toContain("CODEBOX_CALLBACK_RETRY_SECONDS")
    })
  )
})
