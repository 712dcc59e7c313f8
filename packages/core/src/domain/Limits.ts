import { Effect, Schema } from "effect"
import { LimitOutOfRange } from "./Errors.ts"

/** Resource limits of one sandboxed step. Times in milliseconds, sizes as the key says. */
export const Limits = Schema.Struct({
  wall_time_ms: Schema.Int.check(Schema.isBetween({ minimum: 100, maximum: 3_600_000 })),
  cpu_time_ms: Schema.Int.check(Schema.isBetween({ minimum: 100, maximum: 3_600_000 })),
  memory_mb: Schema.Int.check(Schema.isBetween({ minimum: 16, maximum: 65_536 })),
  processes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4096 })),
  /** Cap on each of stdout and stderr; what was written before the cap is kept. */
  output_bytes: Schema.Int.check(Schema.isBetween({ minimum: 1024, maximum: 64 * 1024 * 1024 })),
  /** Largest file the program may write (RLIMIT_FSIZE). */
  file_size_mb: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4096 })),
  /** Size of the private /tmp. */
  tmp_mb: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4096 }))
})
export type Limits = typeof Limits.Type

/** What a request may say about limits: any subset, each bounded by the plugin's maximum. */
export const LimitsRequest = Schema.Struct({
  wall_time_ms: Schema.optionalKey(Limits.fields.wall_time_ms),
  cpu_time_ms: Schema.optionalKey(Limits.fields.cpu_time_ms),
  memory_mb: Schema.optionalKey(Limits.fields.memory_mb),
  processes: Schema.optionalKey(Limits.fields.processes),
  output_bytes: Schema.optionalKey(Limits.fields.output_bytes),
  file_size_mb: Schema.optionalKey(Limits.fields.file_size_mb),
  tmp_mb: Schema.optionalKey(Limits.fields.tmp_mb)
})
export type LimitsRequest = typeof LimitsRequest.Type

/** The limits the original CodeBox sandbox enforced (30 s, 512 MB, 100 processes, 64,000 characters). */
export const standardLimits: Limits = {
  wall_time_ms: 30_000,
  cpu_time_ms: 20_000,
  memory_mb: 512,
  processes: 100,
  output_bytes: 64_000,
  file_size_mb: 64,
  tmp_mb: 64
}

/** The most a request may ask for unless a plugin says otherwise. */
export const standardMaxima: Limits = {
  wall_time_ms: 120_000,
  cpu_time_ms: 60_000,
  memory_mb: 2048,
  processes: 256,
  output_bytes: 8 * 1024 * 1024,
  file_size_mb: 256,
  tmp_mb: 512
}

const limitKeys = Object.keys(standardLimits) as ReadonlyArray<keyof Limits>

/** Merge requested limits over the defaults, refusing any value above the maximum. */
export const resolveLimits = (
  defaults: Limits,
  maxima: Limits,
  requested: LimitsRequest | undefined
): Effect.Effect<Limits, LimitOutOfRange> =>
  Effect.gen(function* () {
    const resolved = { ...defaults }
    for (const key of limitKeys) {
      const value = requested?.[key]
      if (value === undefined) continue
      if (value > maxima[key]) {
        return yield* new LimitOutOfRange({ limit: key, requested: value, maximum: maxima[key] })
      }
      resolved[key] = value
    }
    return resolved
  })
