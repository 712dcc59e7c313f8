import { Context, Effect, Layer } from "effect"
import { UnsupportedLanguage } from "./domain/Errors.ts"
import type { LanguagePlugin } from "./LanguagePlugin.ts"

/** The registry of language plugins the app was assembled with. Core never names a language. */
export class Languages extends Context.Service<
  Languages,
  {
    /** Resolve an id or alias, case-insensitively. */
    resolve(language: string): Effect.Effect<LanguagePlugin, UnsupportedLanguage>
    readonly all: ReadonlyArray<LanguagePlugin>
  }
>()("@codebox/core/Languages") {
  static readonly layer = (plugins: ReadonlyArray<LanguagePlugin>) => Layer.sync(Languages, () => Languages.of(makeRegistry(plugins)))
}

export const makeRegistry = (plugins: ReadonlyArray<LanguagePlugin>): Languages["Service"] => {
  const byName = new Map<string, LanguagePlugin>()
  for (const plugin of plugins) {
    for (const name of [plugin.id, ...plugin.aliases]) {
      const key = name.toLowerCase()
      const taken = byName.get(key)
      if (taken !== undefined && taken !== plugin) {
        throw new Error(`language name "${name}" is claimed by both ${taken.id} and ${plugin.id}`)
      }
      byName.set(key, plugin)
    }
  }
  const supported = plugins.map((p) => p.id)
  return {
    all: plugins,
    resolve: (language) => {
      const plugin = byName.get(language.toLowerCase())
      return plugin !== undefined
        ? Effect.succeed(plugin)
        : Effect.fail(
            new UnsupportedLanguage({
              language,
              supported,
              message: `unsupported language "${language}"; supported: ${supported.join(", ")}`
            })
          )
    }
  }
}
