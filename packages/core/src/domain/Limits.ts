import { Effect, Schema } from "effect"
import { LimitOutOfRange } from "./Errors.ts"

/**
 * The range every limit must be in for any language; a language's own maximum (its plugin's
 * `maxLimits`) is at most this one.
 */
export const limitBounds = {
  wall_time_ms: { minimum: 100, maximum: 3_600_000 },
  cpu_time_ms: { minimum: 100, maximum: 3_600_000 },
  memory_mb: { minimum: 16, maximum: 65_536 },
  processes: { minimum: 1, maximum: 4096 },
  output_bytes: { minimum: 1024, maximum: 64 * 1024 * 1024 },
  file_size_mb: { minimum: 1, maximum: 4096 },
  tmp_mb: { minimum: 1, maximum: 4096 }
} as const

const bounded = (key: keyof typeof limitBounds) => Schema.Int.check(Schema.isBetween(limitBounds[key]))

/** Resource limits of one sandboxed step. Times in milliseconds, sizes as the key says. */
export const Limits = Schema.Struct({
  wall_time_ms: bounded("wall_time_ms"),
  cpu_time_ms: bounded("cpu_time_ms"),
  memory_mb: bounded("memory_mb"),
  processes: bounded("processes"),
  /** Cap on each of stdout and stderr; what was written before the cap is kept. */
  output_bytes: bounded("output_bytes"),
  /** Largest file the program may write (RLIMIT_FSIZE). */
  file_size_mb: bounded("file_size_mb"),
  /** Size of the private /tmp. */
  tmp_mb: bounded("tmp_mb")
})
export type Limits = typeof Limits.Type

/** Any subset of the limits, each in the range every language allows (what a plugin's step may set). */
export const PartialLimits = Schema.Struct({
  wall_time_ms: Schema.optionalKey(Limits.fields.wall_time_ms),
  cpu_time_ms: Schema.optionalKey(Limits.fields.cpu_time_ms),
  memory_mb: Schema.optionalKey(Limits.fields.memory_mb),
  processes: Schema.optionalKey(Limits.fields.processes),
  output_bytes: Schema.optionalKey(Limits.fields.output_bytes),
  file_size_mb: Schema.optionalKey(Limits.fields.file_size_mb),
  tmp_mb: Schema.optionalKey(Limits.fields.tmp_mb)
})

/**
 * What a request may say about limits: any subset, as integers. The range is the language's
 * (`limitBounds` minimum, the plugin's maximum) and is checked by resolveLimits, which knows the
 * language, so the error states the bounds that really apply (LimitOutOfRange).
 */
export const LimitsRequest = Schema.Struct({
  wall_time_ms: Schema.optionalKey(Schema.Int),
  cpu_time_ms: Schema.optionalKey(Schema.Int),
  memory_mb: Schema.optionalKey(Schema.Int),
  processes: Schema.optionalKey(Schema.Int),
  output_bytes: Schema.optionalKey(Schema.Int),
  file_size_mb: Schema.optionalKey(Schema.Int),
  tmp_mb: Schema.optionalKey(Schema.Int)
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

/** Merge requested limits over the defaults, refusing any value outside the language's range. */
export const resolveLimits = (
  defaults: Limits,
  maxima: Limits,
  requested: LimitsRequest | undefined,
  language?: string
): Effect.Effect<Limits, LimitOutOfRange> =>
  Effect.gen(function* () {
    const resolved = { ...defaults }
    for (const key of limitKeys) {
      const value = requested?.[key]
      if (value === undefined) continue
      const minimum = limitBounds[key].minimum
      if (value < minimum || value > maxima[key]) {
        return yield* new LimitOutOfRange({
          limit: key,
          requested: value,
          minimum,
          maximum: maxima[key],
          ...(language !== undefined ? { language } : {})
        })
      }
      resolved[key] = value
    }
    return resolved
  })
