import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { decodePlugin, type LanguagePlugin } from "@codebox/core"
import { Config, Effect, Schema } from "effect"

/** The languages a server or worker offers when CODEBOX_PLUGINS is not set. */
export const builtInPlugins = [
  "@codebox/lang-python",
  "@codebox/lang-c",
  "@codebox/lang-javascript",
  "@codebox/lang-php",
  "@codebox/lang-cpp",
  "@codebox/lang-bash",
  "@codebox/lang-lua",
  "@codebox/lang-perl",
  "@codebox/lang-typescript",
  "@codebox/lang-java"
]

/** A module named in CODEBOX_PLUGINS that cannot be used: the start stops with this message. */
export class PluginLoadError extends Schema.TaggedError<PluginLoadError>()("PluginLoadError", {
  module: Schema.String,
  message: Schema.String
}) {}

/** CODEBOX_PLUGINS: comma-separated module specifiers (package names, or paths to package folders). */
export const pluginSpecifiersConfig = Config.String("CODEBOX_PLUGINS").pipe(
  Config.withDefault(builtInPlugins.join(",")),
  Config.map((raw) =>
    raw
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
  )
)

const isPath = (specifier: string) => specifier.startsWith(".") || path.isAbsolute(specifier)

/** Picks a package's entry from `exports` (string or conditions, "." first) or `main`. */
const entryOf = (manifest: { exports?: unknown; main?: string }): string => {
  const pick = (target: unknown): string | undefined => {
    if (typeof target === "string") return target
    if (target === null || typeof target !== "object" || Array.isArray(target)) return undefined
    const record = target as Record<string, unknown>
    if ("." in record) return pick(record["."])
    for (const condition of ["import", "node", "default"]) if (condition in record) return pick(record[condition])
    return undefined
  }
  return pick(manifest.exports) ?? manifest.main ?? "index.js"
}

/**
 * The URL to import for a specifier. A path names a package folder (its package.json says where
 * the entry is) or a module file, relative to `cwd`; anything else is a package name, resolved
 * from this package (so from the app's dependencies and the workspace root).
 */
const moduleUrl = (specifier: string, cwd: string): string => {
  if (!isPath(specifier)) return specifier
  const target = path.resolve(cwd, specifier)
  const manifestFile = path.join(target, "package.json")
  if (fs.existsSync(manifestFile)) {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { exports?: unknown; main?: string }
    return pathToFileURL(path.join(target, entryOf(manifest))).href
  }
  if (!fs.existsSync(target)) throw new Error(`no such file or folder: ${target}`)
  return pathToFileURL(target).href
}

/** The plugins a module exports: its default export, or a named `plugin`, or a named `plugins` array. */
const exportedPlugins = (module: Record<string, unknown>): ReadonlyArray<unknown> | undefined => {
  if (Array.isArray(module.plugins)) return module.plugins
  if (module.plugin !== undefined) return [module.plugin]
  if (module.default !== undefined) return Array.isArray(module.default) ? module.default : [module.default]
  return undefined
}

const loadOne = Effect.fn("Plugins.loadOne")(function* (specifier: string, cwd: string) {
  const fail = (message: string) => new PluginLoadError({ module: specifier, message: `CODEBOX_PLUGINS: ${specifier}: ${message}` })
  const module = yield* Effect.tryPromise({
    try: () => import(moduleUrl(specifier, cwd)) as Promise<Record<string, unknown>>,
    catch: (e) => fail(`cannot be loaded: ${e instanceof Error ? e.message : String(e)}`)
  })
  const candidates = exportedPlugins(module)
  if (candidates === undefined || candidates.length === 0)
    return yield* fail("exports no plugin (expected a default export, or a named `plugin` or `plugins`)")
  return yield* Effect.forEach(candidates, (candidate) =>
    decodePlugin(candidate).pipe(Effect.mapError((e) => fail(`is not a valid LanguagePlugin: ${e.message}`)))
  )
})

/**
 * Loads the plugins the specifiers name, in order. Any module that cannot be loaded or does not
 * export a valid plugin stops the whole load, naming the module and what is wrong; so does a
 * language id or alias claimed twice.
 */
export const loadPlugins = Effect.fn("Plugins.load")(function* (specifiers: ReadonlyArray<string>, cwd: string = process.cwd()) {
  const plugins: Array<LanguagePlugin> = []
  const owners = new Map<string, string>()
  for (const specifier of specifiers) {
    for (const plugin of yield* loadOne(specifier, cwd)) {
      for (const name of [plugin.id, ...plugin.aliases].map((n) => n.toLowerCase())) {
        const owner = owners.get(name)
        if (owner !== undefined)
          return yield* new PluginLoadError({
            module: specifier,
            message: `CODEBOX_PLUGINS: ${specifier}: the language name "${name}" is already taken by ${owner}`
          })
        owners.set(name, specifier)
      }
      plugins.push(plugin)
    }
  }
  return plugins
})

/** The plugins CODEBOX_PLUGINS names (default: every built-in language). */
export const readPlugins = Effect.gen(function* () {
  const specifiers = yield* pluginSpecifiersConfig.pipe(
    Effect.mapError((e) => new PluginLoadError({ module: "CODEBOX_PLUGINS", message: `CODEBOX_PLUGINS: ${e.message}` }))
  )
  if (specifiers.length === 0) return yield* new PluginLoadError({ module: "CODEBOX_PLUGINS", message: "CODEBOX_PLUGINS names no plugin" })
  return yield* loadPlugins(specifiers)
})
