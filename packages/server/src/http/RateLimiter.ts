import { Clock, Context, Effect, Layer } from "effect"
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

interface Window {
  start: number
  count: number
}

/**
 * Fixed-window request counting per client key (API key or address) and budget, in process
 * memory. One server process counts its own requests; several replicas each allow the limit.
 */
export class RateLimiter extends Context.Service<
  RateLimiter,
  {
    /**
     * Counts `count` requests (default 1) for `key` in `budget`, all or none: a batch of tasks counts
     * as its number of tasks. Never fails.
     */
    take(key: string, budget: Budget, count?: number): Effect.Effect<RateDecision>
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
      const windows = new Map<string, Window>()
      let lastSweep = 0

      // Forget clients whose window is over, at most once per window, so memory follows active clients.
      const sweep = (now: number) => {
        if (now - lastSweep < windowMs) return
        lastSweep = now
        for (const [key, w] of windows) if (now - w.start >= windowMs) windows.delete(key)
      }

      return RateLimiter.of({
        enabled: (budget) => limits[budget] > 0,
        take: (client, budget, count = 1) =>
          Effect.map(Clock.currentTimeMillis, (now): RateDecision => {
            sweep(now)
            const limit = limits[budget]
            const key = `${budget}|${client}`
            let w = windows.get(key)
            if (w === undefined || now - w.start >= windowMs) {
              w = { start: now, count: 0 }
              windows.set(key, w)
            }
            const resetSeconds = Math.max(1, Math.ceil((w.start + windowMs - now) / 1000))
            if (w.count + count > limit)
              return { allowed: false, limit, remaining: Math.max(0, limit - w.count), resetSeconds, windowSeconds, budget }
            w.count += count
            return { allowed: true, limit, remaining: limit - w.count, resetSeconds, windowSeconds, budget }
          })
      })
    })
  )
}
