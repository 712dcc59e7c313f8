import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { ServerConfig } from "./config.ts"
import { engineLayer } from "./layers.ts"
import { ServerLive } from "./Server.ts"

const main = Layer.unwrap(Effect.gen(function*() {
  const settings = yield* ServerConfig
  return ServerLive(engineLayer(settings), settings)
}))

Layer.launch(main.pipe(Layer.provide(ServerConfig.layer))).pipe(NodeRuntime.runMain)
