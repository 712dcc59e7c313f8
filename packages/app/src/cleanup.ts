import { Cleanup, defaultCleanupSettings, InvalidSetting } from "@codebox/core"
import { Config, Duration, Effect, Layer, Option } from "effect"

/**
 * The settings from the environment: CODEBOX_CLEANUP_SCHEDULE (cron, or "off" for no scheduled
 * runs), CODEBOX_CLEANUP_TZ, CODEBOX_RETENTION and CODEBOX_ORPHAN_GRACE (durations like "7 days").
 */
export const cleanupSettingsFromEnv = Config.all({
  schedule: Config.String("CODEBOX_CLEANUP_SCHEDULE").pipe(Config.withDefault(defaultCleanupSettings.schedule)),
  timeZone: Config.String("CODEBOX_CLEANUP_TZ").pipe(Config.option, Config.map(Option.getOrUndefined)),
  retention: Config.Duration("CODEBOX_RETENTION").pipe(Config.withDefault(Duration.fromInputUnsafe(defaultCleanupSettings.retention))),
  orphanGrace: Config.Duration("CODEBOX_ORPHAN_GRACE").pipe(
    Config.withDefault(Duration.fromInputUnsafe(defaultCleanupSettings.orphanGrace!))
  )
})

/** The cleanup service from the environment; CODEBOX_CLEANUP_SCHEDULE=off keeps it but runs nothing on a schedule. */
export const cleanupLayerFromEnv = Layer.unwrap(
  Effect.mapError(cleanupSettingsFromEnv, (e) => new InvalidSetting({ setting: "CODEBOX_CLEANUP_*", message: e.message })).pipe(
    Effect.map(Cleanup.layerConfigured)
  )
)
