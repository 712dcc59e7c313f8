import { type LanguagePlugin, quoteJson, standardLimits, standardMaxima } from "@codebox/core"

/** A language core's own tests define for themselves: core never names a real one. */
export const toyPlugin = (overrides: Partial<LanguagePlugin> = {}): LanguagePlugin => ({
  id: "toy",
  aliases: ["toylang"],
  displayName: "Toy",
  versionProbe: ["/usr/bin/toy", "--version"],
  sourceFile: "main.toy",
  run: { argv: (ctx) => ["/usr/bin/toy", ctx.sourcePath] },
  defaultLimits: standardLimits,
  maxLimits: standardMaxima,
  quote: quoteJson,
  syntax: { lineComments: ["#"], blockComments: [["/*", "*/"]], strings: ['"""', '"', "'"] },
  runtime: { image: "codebox/toy:1", dockerfile: "/nonexistent", nativePaths: [], env: {}, debianPackages: [] },
  samples: {
    hello: "hello",
    echoUpper: "upper",
    copyInput: "copy IN_1 OUT_copy.txt",
    exitThree: "exit 3",
    memoryHog: "hog",
    busyLoop: "loop"
  },
  ...overrides
})
