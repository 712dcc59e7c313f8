import { Effect, Schema } from "effect"
import { Limits, PartialLimits } from "./domain/Limits.ts"
import type { LanguagePlugin } from "./LanguagePlugin.ts"

/**
 * A `LanguagePlugin` as data crossing a boundary: what a plugin module loaded by name from
 * configuration must export. Functions (argv templates, `quote`) are checked to be functions;
 * everything else is checked field by field, so a broken plugin stops the start with the field
 * that is wrong instead of failing a task later.
 */
const AFunction = Schema.declare((u: unknown): u is (...args: Array<never>) => unknown => typeof u === "function", {
  expected: "a function"
})
const NonEmpty = Schema.String.check(Schema.isMinLength(1))
const Strings = Schema.Array(Schema.String)
const StepSpec = Schema.Struct({ argv: AFunction, limits: Schema.optionalKey(PartialLimits) })
const StringInterpolation = Schema.Struct({
  string: NonEmpty,
  prefixes: Schema.optionalKey(Schema.Array(NonEmpty)),
  open: NonEmpty,
  close: NonEmpty,
  escapes: Schema.optionalKey(Schema.Array(NonEmpty))
})
const Source = Schema.String
const optionalSource = Schema.optionalKey(Source)

export const LanguagePluginSchema = Schema.Struct({
  id: NonEmpty.check(Schema.isPattern(/^[a-z][a-z0-9+#_-]*$/)),
  aliases: Strings,
  displayName: NonEmpty,
  versionProbe: Schema.Array(NonEmpty).check(Schema.isMinLength(1)),
  sourceFile: NonEmpty.check(Schema.isPattern(/^[\w.+-]+$/)),
  compile: Schema.optionalKey(StepSpec),
  run: StepSpec,
  defaultLimits: Limits,
  maxLimits: Limits,
  quote: AFunction,
  syntax: Schema.Struct({
    lineComments: Strings,
    blockComments: Schema.Array(Schema.Tuple([Schema.String, Schema.String])),
    strings: Strings,
    interpolations: Schema.optionalKey(Schema.Array(StringInterpolation))
  }).check(
    // An interpolation on a delimiter the language does not have would silently never apply.
    Schema.makeFilter((syntax) =>
      (syntax.interpolations ?? []).flatMap((interpolation, index) =>
        syntax.strings.includes(interpolation.string)
          ? []
          : [{ path: ["interpolations", index, "string"], issue: `must be one of syntax.strings (${syntax.strings.join(" ")})` }]
      )
    )
  ),
  runtime: Schema.Struct({
    image: NonEmpty,
    dockerfile: NonEmpty,
    nativePaths: Strings,
    env: Schema.Record(Schema.String, Schema.String),
    debianPackages: Strings,
    npmPackages: Schema.optionalKey(Schema.Struct({ prefix: NonEmpty, packages: Strings })),
    libraries: Schema.optionalKey(Strings)
  }),
  samples: Schema.Struct({
    hello: Source,
    echoUpper: Source,
    copyInput: Source,
    exitThree: Source,
    memoryHog: Source,
    busyLoop: Source,
    placeholders: optionalSource
  }),
  hostile: Schema.optionalKey(
    Schema.Struct({
      forkBomb: optionalSource,
      threadBomb: optionalSource,
      sleeper: optionalSource,
      stdoutFlood: optionalSource,
      stderrFlood: optionalSource,
      fillDisk: optionalSource,
      fillTmp: optionalSource,
      connect: optionalSource,
      readFile: optionalSource,
      printEnv: optionalSource,
      daemon: optionalSource,
      leaveFiles: optionalSource,
      segfault: optionalSource,
      deepRecursion: optionalSource,
      printArgs: optionalSource,
      includeHostFile: optionalSource,
      hugeCompile: optionalSource,
      syscall: optionalSource,
      keyring: optionalSource,
      openFiles: optionalSource
    })
  )
})

/**
 * Checks that a value is a usable plugin; the error names each field that is wrong. The value
 * itself is returned, not the decoded copy, so the plugin's functions stay exactly as written.
 */
export const decodePlugin = (u: unknown): Effect.Effect<LanguagePlugin, Schema.SchemaError> =>
  Schema.decodeUnknownEffect(LanguagePluginSchema)(u, { errors: "all" }).pipe(Effect.as(u as LanguagePlugin))
