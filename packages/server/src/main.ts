import { Cleanup, Profile } from "@codebox/core"
import { layerSandbox, readInfrastructure, readSandboxKind } from "@codebox/core/infrastructure"
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { ServerConfig } from "./config.ts"
import { engineLayer } from "./layers.ts"
import { ServerLive } from "./Server.ts"

const main = Layer.unwrap(
  Effect.gen(function* () {
    const settings = yield* ServerConfig
    const engine = engineLayer(settings, layerSandbox(yield* readSandboxKind), yield* readInfrastructure)
    return ServerLive(Cleanup.layerFromEnv.pipe(Layer.provideMerge(engine)), settings)
  })
)

Layer.launch(main.pipe(Layer.provide(ServerConfig.layer), Layer.provide(Profile.layerWithLogging("server")))).pipe(NodeRuntime.runMain)
