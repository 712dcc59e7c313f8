import { Clock, Context, Effect, Layer, Option } from "effect"
import { MemoryRateCounter, RateCounter, rateWindowAt } from "@codebox/core"
import { ServerConfig } from "../config.ts"
/**
 * The budgets requests are counted in: submitting work (creates) and reading (everything else), so
 * a client polling its results never uses up what it needs to submit, and the reverse.
 */
export type Budget = "submit" | "read"

/** What the limiter decided for one request, with what the RateLimit headers report. */
export interface RateDecision {
  readonly allowed: boolean
  readonly limit: number
  readonly remaining: number
  /** Seconds until the window resets (and, when refused, until a retry can succeed). */
  readonly resetSeconds: number
  readonly windowSeconds: number
  readonly budget: Budget
}

/**
 * Fixed-window request counting per client key (API key or address) and budget. The counts live in
 * the RateCounter the engine provides (PostgreSQL: shared by every replica on the database), or in
 * this process's memory when it provides none. Windows are aligned to the clock, so replicas agree
 * on them. When the shared counter cannot be reached, requests are let through (and a warning
 * logged): the database being down is not a reason to refuse reads of what is already stored.
 */
export class RateLimiter extends Context.Service<
  RateLimiter,
  {
    /** Counts `cost` requests (a batch of tasks counts as its number of tasks) for `key` in `budget`, all or none; never fails. */
    take(key: string, budget: Budget, cost?: number): Effect.Effect<RateDecision>
    /** Whether a budget counts at all (its limit is above 0). */
    enabled(budget: Budget): boolean
  }
>()("@codebox/server/RateLimiter") {
  static readonly layer = Layer.effect(
    RateLimiter,
    Effect.gen(function* () {
      const settings = yield* ServerConfig
      const limits: Record<Budget, number> = { submit: settings.rateLimit, read: settings.readRateLimit }
      const windowSeconds = settings.rateLimitWindowSeconds
      const windowMs = windowSeconds * 1000
      const provided = yield* Effect.serviceOption(RateCounter)
      const counter = Option.isSome(provided) ? provided.value : yield* RateCounter.pipe(Effect.provide(MemoryRateCounter.layer))

      return RateLimiter.of({
        enabled: (budget) => limits[budget] > 0,
        take: (client, budget, cost = 1) =>
          Effect.gen(function* () {
            const now = yield* Clock.currentTimeMillis
            const limit = limits[budget]
            const window = rateWindowAt(now, windowMs)
            const resetSeconds = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000))
            const counted = yield* counter
              .take(`${budget}|${client}`, window, cost, limit)
              .pipe(Effect.catch((e) => Effect.as(Effect.logWarning(`rate limit not counted: ${e.message}`), { allowed: true, count: 0 })))
            const remaining = counted.allowed ? Math.max(0, limit - counted.count) : 0
            return { allowed: counted.allowed, limit, remaining, resetSeconds, windowSeconds, budget }
          })
      })
    })
  )
}
