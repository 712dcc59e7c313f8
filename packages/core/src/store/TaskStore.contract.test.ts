import { Layer } from "effect"
import * as MemoryTaskStore from "./MemoryTaskStore.ts"
import * as PgliteServer from "./PgliteServer.ts"
import { layerScratchClient, testDatabaseUrl } from "./scratchDatabase.ts"
import * as SqlTaskStore from "./SqlTaskStore.ts"
import { taskStoreContract } from "./taskStoreContract.ts"

taskStoreContract("memory", () => MemoryTaskStore.layer)
taskStoreContract("PGlite", () => SqlTaskStore.layer({ notifications: "local" }).pipe(Layer.provide(PgliteServer.layerClient())))
taskStoreContract("PostgreSQL", () =>
  SqlTaskStore.layer({ notifications: "listen" }).pipe(Layer.provide(layerScratchClient(testDatabaseUrl)))
)
