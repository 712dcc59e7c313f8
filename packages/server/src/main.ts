import { cleanupLayerFromEnv, layerSandbox, Profile, readInfrastructure, readPlugins, readSandboxKind } from "@codebox/app"
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { ServerConfig } from "./config.ts"
import { engineLayer } from "./layers.ts"
import { ServerLive } from "./Server.ts"

const main = Layer.unwrap(
  Effect.gen(function* () {
    const settings = yield* ServerConfig
    const engine = engineLayer(settings, yield* readPlugins, layerSandbox(yield* readSandboxKind), yield* readInfrastructure)
    return ServerLive(cleanupLayerFromEnv.pipe(Layer.provideMerge(engine)), settings)
  })
)

Layer.launch(main.pipe(Layer.provide(ServerConfig.layer), Layer.provide(Profile.layerWithLogging("server")))).pipe(NodeRuntime.runMain)
