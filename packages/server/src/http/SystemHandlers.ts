import { FileStorage, type LanguagePlugin, Languages, Sandbox, TaskQueue, TaskStore } from "@codebox/core"
import { Duration, Effect, Fiber } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import type { Api } from "../api/Api.ts"
import { NotReady } from "../api/errors.ts"
import type { LanguageInfo } from "../api/wire.ts"

const probeTimeout = Duration.seconds(10)

export const LanguagesHandlers = (api: Api) =>
  HttpApiBuilder.group(
    api,
    "languages",
    Effect.fn(function* (handlers) {
      const languages = yield* Languages
      const sandbox = yield* Sandbox
      // Versions come from the runtimes themselves, inside the sandbox; a success is kept for the
      // life of the process, a failure is asked again next time.
      const versions = new Map<string, string>()

      const versionOf = (plugin: LanguagePlugin) =>
        Effect.suspend(() => {
          const known = versions.get(plugin.id)
          if (known !== undefined) return Effect.succeed<string | null>(known)
          // An API-only server (layerNoSandbox in @codebox/app) has no runtime to ask.
          if (sandbox.name === "none") return Effect.succeed<string | null>(null)
          return sandbox
            .run({
              argv: plugin.versionProbe,
              stdin: null,
              env: plugin.runtime.env,
              cwd: "/tmp",
              mounts: [],
              limits: { ...plugin.defaultLimits, wall_time_ms: 10_000, cpu_time_ms: 10_000 },
              runtime: plugin.runtime
            })
            .pipe(
              Effect.timeout(probeTimeout),
              Effect.map((outcome) => {
                const line = `${outcome.stdout}\n${outcome.stderr}`
                  .split("\n")
                  .map((l) => l.trim())
                  .find((l) => l.length > 0)
                if (outcome.exitCode !== 0 || line === undefined) return null
                versions.set(plugin.id, line)
                return line
              }),
              Effect.catchCause((cause) => Effect.as(Effect.logWarning(`version probe of ${plugin.id} failed`, cause), null))
            )
        })

      const describe = (plugin: LanguagePlugin) =>
        Effect.map(
          versionOf(plugin),
          (version): LanguageInfo => ({
            id: plugin.id,
            aliases: plugin.aliases,
            display_name: plugin.displayName,
            version,
            compiled: plugin.compile !== undefined,
            default_limits: plugin.defaultLimits,
            max_limits: plugin.maxLimits
          })
        )

      return handlers.handleAll({
        list: () => Effect.map(Effect.forEach(languages.all, describe, { concurrency: "unbounded" }), (list) => ({ languages: list }))
      })
    })
  )

const checkTimeout = Duration.seconds(5)

/**
 * The store answers every request, so one that takes longer than this is not ready: a load balancer
 * should send traffic elsewhere rather than let requests queue behind it.
 */
export const storeCheckTimeout = Duration.seconds(2)

/**
 * Runs the effect in a fiber of its own and waits for it. A deadline on the wait ends the wait at
 * once, whereas a deadline on the effect itself waits for it to stop, and a check stuck in a query
 * the client cannot interrupt (a store that does not answer) would hold readiness past its deadline.
 * The abandoned check is interrupted in the background.
 */
const awaitDetached = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.flatMap(Effect.forkDetach(effect), (fiber) =>
    Fiber.join(fiber).pipe(Effect.onInterrupt(() => Effect.asVoid(Effect.forkDetach(Fiber.interrupt(fiber)))))
  )

type CheckResult<A> =
  | { readonly name: string; readonly ok: true; readonly value: A; readonly detail: string }
  | { readonly name: string; readonly ok: false; readonly detail: string }

export const HealthHandlers = (api: Api) =>
  HttpApiBuilder.group(
    api,
    "health",
    Effect.fn(function* (handlers) {
      const store = yield* TaskStore
      const queue = yield* TaskQueue
      const storage = yield* FileStorage
      const sandbox = yield* Sandbox

      /** Runs a check with a deadline; never fails, reports what went wrong instead. */
      const check = <A>(
        name: string,
        effect: Effect.Effect<A, { readonly message: string }>,
        timeout: Duration.Duration = checkTimeout
      ): Effect.Effect<CheckResult<A>> =>
        awaitDetached(effect).pipe(
          Effect.timeoutOrElse({
            duration: timeout,
            orElse: () => Effect.fail({ message: `no answer within ${Duration.format(timeout)}` })
          }),
          Effect.map((value): CheckResult<A> => ({ name, ok: true, value, detail: "ok" })),
          Effect.catch((e: { readonly message: string }) => Effect.succeed<CheckResult<A>>({ name, ok: false, detail: e.message }))
        )

      return handlers.handleAll({
        live: () => Effect.succeed({ status: "ok" as const }),
        ready: Effect.fn("Server.ready")(function* () {
          const [counts, depth, files, box] = yield* Effect.all(
            [
              check("store", store.counts, storeCheckTimeout),
              check("queue", queue.depth),
              check("storage", storage.check),
              check(`sandbox`, sandbox.check)
            ],
            { concurrency: "unbounded" }
          )
          const all = [counts, depth, files, box]
          const checks = Object.fromEntries(
            all.map((c) => [c.name, { ok: c.ok, detail: c.name === "sandbox" ? `${sandbox.name}: ${c.detail}` : c.detail }])
          )
          const failing = all.filter((c) => !c.ok).map((c) => c.name)
          if (!counts.ok || !depth.ok || failing.length > 0) {
            return yield* new NotReady({ status: "unavailable", failing, checks })
          }
          return { status: "ready" as const, checks, tasks: counts.value, queue_depth: depth.value }
        })
      })
    })
  )
