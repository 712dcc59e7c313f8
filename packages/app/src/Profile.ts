import { Config, Context, Effect, Layer, type LogLevel, Option } from "effect"
import { type LogFormat, layerLogging, InvalidSetting, MissingSettings } from "@codebox/core"

export type ProfileName = "dev" | "prod"
/** The process being started: the settings each one needs differ. */
export type AppName = "server" | "worker"

export interface Requirement {
  readonly setting: string
  /** Said in the error, so the operator knows what to provide. */
  readonly purpose: string
  readonly apps: ReadonlyArray<AppName>
}

/** What production refuses to start without: no open API, no in-memory tasks, no in-process queue. */
export const prodRequirements: ReadonlyArray<Requirement> = [
  { setting: "CODEBOX_API_KEYS", purpose: "comma-separated API keys clients must send", apps: ["server"] },
  { setting: "DATABASE_URL", purpose: "PostgreSQL URL for tasks and results", apps: ["server", "worker"] },
  { setting: "CODEBOX_AMQP_URL", purpose: "RabbitMQ URL for the task queue", apps: ["server", "worker"] }
]

export interface ProfileSettings {
  readonly name: ProfileName
  readonly app: AppName
  readonly logFormat: LogFormat
  readonly logLevel: LogLevel.LogLevel
}

const nonEmpty = (name: string) => Config.String(name).pipe(Config.option, Config.map(Option.filter((v) => v.trim().length > 0)))

/**
 * The deployment profile (CODEBOX_PROFILE): `dev` (default) has defaults for everything, pretty
 * logs and debug detail; `prod` demands the settings a shared service needs and logs JSON lines.
 */
export class Profile extends Context.Service<Profile, ProfileSettings>()("@codebox/app/Profile") {
  /** Reads the profile for `app`; in prod, fails naming every missing setting at once. */
  static readonly layer = (app: AppName) => Layer.effect(Profile, readProfile(app))

  /** The profile and the logger it asks for: what an app's main adds first. */
  static readonly layerWithLogging = (app: AppName) =>
    Layer.unwrap(
      Effect.map(readProfile(app), (profile) =>
        Layer.merge(Layer.succeed(Profile, profile), layerLogging({ format: profile.logFormat, level: profile.logLevel }))
      )
    )
}

export const readProfile = Effect.fn("Profile.read")(function* (app: AppName) {
  const setting = <A>(name: string, config: Config.Config<A>) =>
    config.pipe(Effect.mapError((e) => new InvalidSetting({ setting: name, message: e.message })))
  const name = yield* setting("CODEBOX_PROFILE", Config.Literals(["dev", "prod"], "CODEBOX_PROFILE").pipe(Config.withDefault("dev")))
  const logFormat = yield* setting(
    "CODEBOX_LOG_FORMAT",
    Config.Literals(["json", "pretty"], "CODEBOX_LOG_FORMAT").pipe(Config.withDefault(name === "prod" ? "json" : "pretty"))
  )
  const logLevel = yield* setting(
    "CODEBOX_LOG_LEVEL",
    Config.LogLevel("CODEBOX_LOG_LEVEL").pipe(Config.withDefault(name === "prod" ? "Info" : "Debug"))
  )
  if (name === "prod") {
    const missing: Array<string> = []
    for (const requirement of prodRequirements.filter((r) => r.apps.includes(app))) {
      const value = yield* setting(requirement.setting, nonEmpty(requirement.setting))
      if (Option.isNone(value)) missing.push(`${requirement.setting} (${requirement.purpose})`)
    }
    if (missing.length > 0) {
      return yield* new MissingSettings({
        profile: name,
        missing,
        message: `CODEBOX_PROFILE=prod: the ${app} will not start without ${missing.join(", ")}`
      })
    }
  }
  const profile: ProfileSettings = { name, app, logFormat, logLevel }
  return profile
})
