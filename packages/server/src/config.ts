import { Config, Context, Effect, Layer, Redacted, Schema } from "effect"
import { parseAllowList } from "./callbacks/callbackAddress.ts"

/** Settings of the HTTP server. Every field has a default that suits a developer's machine. */
export interface ServerSettings {
  readonly host: string
  readonly port: number
  /** API keys clients must send (`X-API-Key` or `Authorization: Bearer`); none means keys are off. */
  readonly apiKeys: ReadonlyArray<Redacted.Redacted<string>>
  /**
   * Keys that see every tenant's tasks (the dashboard, results, downloads, cancel); also accepted
   * as API keys. Either list may hold `sha256:<salt>:<hex>` instead of a key (see keys.ts).
   */
  readonly adminKeys: ReadonlyArray<Redacted.Redacted<string>>
  /**
   * Submissions (task and file-task creates) allowed per client (API key, else address) per window;
   * 0 turns this budget off.
   */
  readonly rateLimit: number
  /**
   * Every other API request (results, downloads, manifests, cancels, languages) per client per
   * window, counted apart from submissions so polling never uses up the budget to submit; 0: off.
   * The default (600 a minute) never refuses a client polling several tasks once a second.
   */
  readonly readRateLimit: number
  readonly rateLimitWindowSeconds: number
  /** Largest JSON body accepted, in bytes (413 above). */
  readonly maxJsonBodyBytes: number
  /** Largest uploaded file, and largest multipart body, in bytes (413 above). */
  readonly maxUploadFileBytes: number
  readonly maxUploadTotalBytes: number
  /** Longest `?wait=` a client may ask for, in seconds. */
  readonly maxWaitSeconds: number
  /** CODEBOX_DATA_DIR: the embedded database and the task files (embedded mode). */
  readonly dataDir: string
  /** Tasks the in-process worker runs at once; 0 makes this an API-only node. */
  readonly workerConcurrency: number
  /** CODEBOX_CALLBACK_SECRET: the key callbacks are signed with; without it `callback_url` is refused. */
  readonly callbackSecret: Redacted.Redacted<string> | null
  /** CODEBOX_CALLBACK_ALLOW: hosts and CIDRs callbacks may reach although internal (see callbackAddress.ts). */
  readonly callbackAllow: ReadonlyArray<string>
  /** CODEBOX_CALLBACK_RETRY_SECONDS: the waits before each retry of a failed delivery; their count + 1 is the tries. */
  readonly callbackRetrySeconds: ReadonlyArray<number>
}

export const defaultSettings: ServerSettings = {
  host: "0.0.0.0",
  port: 8000,
  apiKeys: [],
  adminKeys: [],
  rateLimit: 120,
  readRateLimit: 600,
  rateLimitWindowSeconds: 60,
  maxJsonBodyBytes: 4 * 1024 * 1024,
  maxUploadFileBytes: 25 * 1024 * 1024,
  maxUploadTotalBytes: 100 * 1024 * 1024,
  maxWaitSeconds: 60,
  dataDir: "./data",
  workerConcurrency: 2,
  callbackSecret: null,
  callbackAllow: [],
  // 6 tries over 620 s: a receiver down for ten minutes still gets the result.
  callbackRetrySeconds: [20, 40, 80, 160, 320]
}

const megabytes = (name: string, fallback: number) =>
  Config.Number(name).pipe(
    Config.withDefault(fallback / (1024 * 1024)),
    Config.map((mb) => Math.floor(mb * 1024 * 1024))
  )

/** A comma-separated list of words. */
const wordList = (name: string) =>
  Config.String(name).pipe(
    Config.withDefault(""),
    Config.map((raw) =>
      raw
        .split(",")
        .map((k) => k.trim())
        .filter((k) => k.length > 0)
    )
  )

/** A comma-separated list of keys (or their salted hashes), kept redacted. */
const keyList = (name: string) => wordList(name).pipe(Config.map((keys) => keys.map((k) => Redacted.make(k))))

/** The settings from the environment (names as in the README). */
export const settingsFromEnv = Config.all({
  host: Config.String("HOST").pipe(Config.withDefault(defaultSettings.host)),
  port: Config.Port("PORT").pipe(Config.withDefault(defaultSettings.port)),
  apiKeys: keyList("CODEBOX_API_KEYS"),
  adminKeys: keyList("CODEBOX_ADMIN_KEYS"),
  rateLimit: Config.Int("CODEBOX_RATE_LIMIT").pipe(Config.withDefault(defaultSettings.rateLimit)),
  readRateLimit: Config.Int("CODEBOX_READ_RATE_LIMIT").pipe(Config.withDefault(defaultSettings.readRateLimit)),
  rateLimitWindowSeconds: Config.Int("CODEBOX_RATE_LIMIT_WINDOW_SECONDS").pipe(Config.withDefault(defaultSettings.rateLimitWindowSeconds)),
  maxJsonBodyBytes: megabytes("CODEBOX_MAX_BODY_MB", defaultSettings.maxJsonBodyBytes),
  maxUploadFileBytes: megabytes("CODEBOX_MAX_UPLOAD_FILE_MB", defaultSettings.maxUploadFileBytes),
  maxUploadTotalBytes: megabytes("CODEBOX_MAX_UPLOAD_MB", defaultSettings.maxUploadTotalBytes),
  maxWaitSeconds: Config.Number("CODEBOX_MAX_WAIT_SECONDS").pipe(Config.withDefault(defaultSettings.maxWaitSeconds)),
  dataDir: Config.String("CODEBOX_DATA_DIR").pipe(Config.withDefault(defaultSettings.dataDir)),
  workerConcurrency: Config.Int("CODEBOX_WORKER_CONCURRENCY").pipe(Config.withDefault(defaultSettings.workerConcurrency)),
  callbackSecret: Config.Redacted("CODEBOX_CALLBACK_SECRET").pipe(
    Config.withDefault(Redacted.make("")),
    Config.map((secret) => (Redacted.value(secret) === "" ? null : secret))
  ),
  callbackAllow: wordList("CODEBOX_CALLBACK_ALLOW"),
  callbackRetrySeconds: wordList("CODEBOX_CALLBACK_RETRY_SECONDS").pipe(
    Config.map((words) => (words.length === 0 ? defaultSettings.callbackRetrySeconds : words.map(Number)))
  )
})

/** A setting out of range: the server refuses to start and says which. */
export class InvalidServerConfig extends Schema.TaggedError<InvalidServerConfig>()("InvalidServerConfig", {
  message: Schema.String
}) {}

const validate = (settings: ServerSettings): Effect.Effect<ServerSettings, InvalidServerConfig> => {
  const problems: Array<string> = []
  if (settings.rateLimit < 0) problems.push("CODEBOX_RATE_LIMIT must be 0 (off) or more")
  if (settings.readRateLimit < 0) problems.push("CODEBOX_READ_RATE_LIMIT must be 0 (off) or more")
  if (settings.rateLimitWindowSeconds < 1) problems.push("CODEBOX_RATE_LIMIT_WINDOW_SECONDS must be at least 1")
  if (settings.maxWaitSeconds < 0) problems.push("CODEBOX_MAX_WAIT_SECONDS must be 0 or more")
  if (settings.workerConcurrency < 0) problems.push("CODEBOX_WORKER_CONCURRENCY must be 0 or more")
  if (settings.callbackRetrySeconds.some((s) => !Number.isFinite(s) || s < 0)) {
    problems.push("CODEBOX_CALLBACK_RETRY_SECONDS must list waits in seconds, 0 or more (e.g. 20,40,80,160,320)")
  }
  const allow = parseAllowList(settings.callbackAllow)
  if (typeof allow === "string") problems.push(`CODEBOX_CALLBACK_ALLOW: ${allow}`)
  for (const [name, value] of [
    ["CODEBOX_MAX_BODY_MB", settings.maxJsonBodyBytes],
    ["CODEBOX_MAX_UPLOAD_FILE_MB", settings.maxUploadFileBytes],
    ["CODEBOX_MAX_UPLOAD_MB", settings.maxUploadTotalBytes]
  ] as const)
    if (value < 1024) problems.push(`${name} is too small`)
  return problems.length === 0 ? Effect.succeed(settings) : Effect.fail(new InvalidServerConfig({ message: problems.join("; ") }))
}

/** The server's settings as a service, so handlers and middleware read them from the context. */
export class ServerConfig extends Context.Service<ServerConfig, ServerSettings>()("@codebox/server/ServerConfig") {
  /** Read from the environment. */
  static readonly layer = Layer.effect(ServerConfig, Effect.flatMap(settingsFromEnv, validate))
  /** Fixed settings over the defaults, for tests and embedders. */
  static readonly make = (overrides: Partial<ServerSettings> = {}) =>
    Layer.effect(ServerConfig, validate({ ...defaultSettings, ...overrides }))
}
