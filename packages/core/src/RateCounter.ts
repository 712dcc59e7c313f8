import { Context, type Effect } from "effect"
import type { StoreError } from "./domain/Errors.ts"

/** A fixed counting window: every process cuts time the same way (`start` is a multiple of `lengthMs`). */
export interface RateWindow {
  /** Epoch ms. */
  readonly start: number
  readonly lengthMs: number
}

/** What a counter decided: whether the amount fitted, and the count in the window after it. */
export interface RateCount {
  readonly allowed: boolean
  readonly count: number
}

/** The fixed window that holds `now` (epoch ms). */
export const rateWindowAt = (now: number, lengthMs: number): RateWindow => ({
  start: Math.floor(now / lengthMs) * lengthMs,
  lengthMs
})

/**
 * Where request counts live, so that every server replica sharing it counts against one budget:
 * process memory (one process, the embedded default) or the database (PostgreSQL, shared by all).
 */
export class RateCounter extends Context.Service<
  RateCounter,
  {
    /**
     * Adds `amount` to the count of `key` in `window` if the count stays at most `limit`, in one
     * atomic step; a refused amount is not counted. An amount above the limit is always refused.
     */
    take(key: string, window: RateWindow, amount: number, limit: number): Effect.Effect<RateCount, StoreError>
  }
>()("@codebox/core/RateCounter") {}
