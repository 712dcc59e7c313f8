import { cleanupLayerFromEnv, layerNoSandbox, layerSandbox, Profile, readInfrastructure, readPlugins, readSandboxKind } from "@codebox/app"
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Option } from "effect"
import { ServerConfig } from "./config.ts"
import { engineLayer } from "./layers.ts"
import { ServerLive } from "./Server.ts"

const main = Layer.unwrap(
  Effect.gen(function* () {
    const settings = yield* ServerConfig
    const infrastructure = yield* readInfrastructure
    // With RabbitMQ the server only accepts tasks (engineLayer): it runs no user code, so it sets
    // up no sandbox (the Compose server has no privileges, no bubblewrap and no Docker socket).
    const sandbox = Option.isSome(infrastructure.amqpUrl) ? layerNoSandbox : layerSandbox(yield* readSandboxKind)
    const engine = engineLayer(settings, yield* readPlugins, sandbox, infrastructure)
    return ServerLive(cleanupLayerFromEnv.pipe(Layer.provideMerge(engine)), settings)
  })
)

Layer.launch(main.pipe(Layer.provide(ServerConfig.layer), Layer.provide(Profile.layerWithLogging("server")))).pipe(NodeRuntime.runMain)
