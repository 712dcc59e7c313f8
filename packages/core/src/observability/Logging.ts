import { Layer, Logger, type LogLevel, References } from "effect"

export type LogFormat = "json" | "pretty"

export interface LoggingSettings {
  /** `json`: one JSON object per line (for log shippers); `pretty`: coloured, for a terminal. */
  readonly format: LogFormat
  readonly level: LogLevel.LogLevel
}

/**
 * Replaces the default logger. JSON lines carry the message, level, timestamp, fiber, spans and
 * every `Effect.annotateLogs` field (task ids, counts), so a log shipper can index them.
 */
export const layerLogging = (settings: LoggingSettings) =>
  Layer.mergeAll(
    Logger.layer([settings.format === "json" ? Logger.consoleJson : Logger.consolePretty()]),
    Layer.succeed(References.MinimumLogLevel, settings.level)
  )
