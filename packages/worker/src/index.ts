export * as WorkerApp from "./WorkerApp.ts"
