import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { processAlive } from "@codebox/core"

/**
 * Test files run in parallel processes. Most only use the local PostgreSQL and RabbitMQ; fault tests
 * restart them. This lock (files in a shared directory) lets users share the services and a restart
 * have them alone: a user registers, then backs off while a restart is announced; a restart
 * announces itself, then waits until no other process is registered.
 */
const dir = path.join(os.tmpdir(), "codebox-service-lock")
const restartFile = path.join(dir, "restart")

const restartAnnounced = () => {
  try {
    const owner = Number(fs.readFileSync(restartFile, "utf8"))
    if (owner === process.pid || processAlive(owner)) return owner !== process.pid
    fs.rmSync(restartFile, { force: true })
    return false
  } catch {
    return false
  }
}

const otherUsers = () =>
  fs.readdirSync(dir).filter((name) => {
    const match = /^user-(\d+)-/.exec(name)
    if (match === null) return false
    const pid = Number(match[1])
    if (pid === process.pid) return false
    if (!processAlive(pid)) fs.rmSync(path.join(dir, name), { force: true })
    return processAlive(pid)
  })

/** Registers this scope as a user of the shared services; waits while another process restarts them. */
export const useServices = Effect.acquireRelease(
  Effect.gen(function* () {
    fs.mkdirSync(dir, { recursive: true })
    const file = path.join(dir, `user-${process.pid}-${Math.random().toString(36).slice(2)}`)
    while (true) {
      fs.writeFileSync(file, "")
      if (!restartAnnounced()) return file
      fs.rmSync(file, { force: true })
      yield* Effect.sleep("200 millis")
    }
  }),
  (file) => Effect.sync(() => fs.rmSync(file, { force: true }))
)

/** Runs `restart` once no other process uses the services (waiting at most `patience`). */
export const restartingServices = <A, E, R>(restart: Effect.Effect<A, E, R>, patience = 180_000) =>
  Effect.acquireUseRelease(
    Effect.gen(function* () {
      fs.mkdirSync(dir, { recursive: true })
      while (true) {
        try {
          fs.writeFileSync(restartFile, String(process.pid), { flag: "wx" })
          break
        } catch {
          restartAnnounced() // clears a dead owner's file
          yield* Effect.sleep("200 millis")
        }
      }
      const deadline = Date.now() + patience
      while (otherUsers().length > 0 && Date.now() < deadline) yield* Effect.sleep("200 millis")
    }),
    () => restart,
    () => Effect.sync(() => fs.rmSync(restartFile, { force: true }))
  )
