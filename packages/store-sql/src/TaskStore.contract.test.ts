import { Layer } from "effect"
import { MemoryTaskStore } from "@codebox/core"
import * as PgliteServer from "./PgliteServer.ts"
import { layerScratchClient, testDatabaseUrl } from "@codebox/test-support"
import * as SqlTaskStore from "./SqlTaskStore.ts"
import { taskStoreContract } from "@codebox/testkit"

taskStoreContract("memory", () => MemoryTaskStore.layer)
taskStoreContract("PGlite", () => SqlTaskStore.layer({ notifications: "local" }).pipe(Layer.provide(PgliteServer.layerClient())))
taskStoreContract("PostgreSQL", () =>
  SqlTaskStore.layer({ notifications: "listen" }).pipe(Layer.provide(layerScratchClient(testDatabaseUrl)))
)
