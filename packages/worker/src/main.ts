import { Profile } from "@codebox/app"
import { NodeRuntime } from "@effect/platform-node"
import { Layer } from "effect"
import * as WorkerApp from "./WorkerApp.ts"

// SIGTERM interrupts the app; closing its layers drains the worker before the connections close.
Layer.launch(WorkerApp.layer.pipe(Layer.provide(Profile.layerWithLogging("worker")))).pipe(
  NodeRuntime.runMain({ teardown: WorkerApp.teardown })
)
