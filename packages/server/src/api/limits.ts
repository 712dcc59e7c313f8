import { type Limits, limitBounds } from "@codebox/core"
import { Schema } from "effect"

/** A language as the limits' documentation needs it: its id and its maxima. */
export interface LanguageMaxima {
  readonly id: string
  readonly maxLimits: Limits
}

type LimitKey = keyof typeof limitBounds

/** The range of one limit over the server's languages, with the per-language maxima in words. */
export const limitRange = (key: LimitKey, languages: ReadonlyArray<LanguageMaxima>) => {
  const minimum = limitBounds[key].minimum
  if (languages.length === 0) {
    return { minimum, maximum: limitBounds[key].maximum, description: `${minimum} up to the language's maximum (GET /api/languages)` }
  }
  const maxima = languages.map((l) => l.maxLimits[key])
  const maximum = Math.max(...maxima)
  const description =
    new Set(maxima).size === 1
      ? `${minimum} to ${maximum} in every language`
      : `${minimum} up to the language's maximum: ${languages.map((l) => `${l.id} ${l.maxLimits[key]}`).join(", ")}`
  return { minimum, maximum, description }
}

/**
 * One limit as a request gives it: any integer here, so a value out of range is refused by the
 * engine (resolveLimits) with the bounds of the language asked for, as LimitOutOfRange with
 * `minimum` and `maximum`. The document still states the range: the filter only describes it.
 */
const limitField = (key: LimitKey, languages: ReadonlyArray<LanguageMaxima>) => {
  const range = limitRange(key, languages)
  const documented = Schema.makeFilter((_: number) => true, {
    toJsonSchema: () => ({ minimum: range.minimum, maximum: range.maximum })
  })
  return Schema.optionalKey(Schema.Int.check(documented).annotate({ description: range.description }))
}

/** The `limits` object of a request, documented with the ranges of the server's languages. */
export const limitsRequestFor = (languages: ReadonlyArray<LanguageMaxima>) =>
  Schema.Struct({
    wall_time_ms: limitField("wall_time_ms", languages),
    cpu_time_ms: limitField("cpu_time_ms", languages),
    memory_mb: limitField("memory_mb", languages),
    processes: limitField("processes", languages),
    output_bytes: limitField("output_bytes", languages),
    file_size_mb: limitField("file_size_mb", languages),
    tmp_mb: limitField("tmp_mb", languages)
  })

/** The ranges in one sentence, for the form's `limits` (a JSON string the schema cannot describe). */
export const limitsInWords = (languages: ReadonlyArray<LanguageMaxima>) =>
  (Object.keys(limitBounds) as ReadonlyArray<LimitKey>).map((key) => `${key}: ${limitRange(key, languages).description}`).join("; ")
