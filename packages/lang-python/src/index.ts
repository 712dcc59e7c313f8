import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, type QuoteContext, type StringInterpolation, standardLimits, standardMaxima } from "@codebox/core"

/**
 * A python literal for a path. Python 3.11 (Debian 12's) forbids an f-string's code from reusing
 * the quote of an enclosing f-string, and any backslash there, so inside `f"{...}"` the path is
 * `'...'` and inside `f'{...}'` it is `"..."`; inside both (nested f-strings) it is spelled
 * without quotes at all. CodeBox's paths hold only `/`, letters, digits, `.`, `_` and `-`.
 */
export const quotePython = (path: string, context?: QuoteContext): string => {
  const taken = (quote: string) => context?.enclosing.some((delimiter) => delimiter.includes(quote)) ?? false
  if (!taken('"')) return JSON.stringify(path)
  if (!taken("'")) return `'${path}'`
  return `bytes([${[...new TextEncoder().encode(path)].join(", ")}]).decode()`
}

/** f-strings: any case of `f`, alone or with `r` (`rb` is bytes and never interpolates). */
const fPrefixes = ["f", "F", "rf", "rF", "Rf", "RF", "fr", "fR", "Fr", "FR"]
const fStrings: ReadonlyArray<StringInterpolation> = ['"""', "'''", '"', "'"].map((string) => ({
  string,
  prefixes: fPrefixes,
  open: "{",
  close: "}",
  // A doubled brace is a literal brace, not code.
  escapes: ["{{", "}}"]
}))

/** Python 3 (Debian's CPython 3.11), with numpy, Pillow, reportlab and pypdf importable. */
export const python: LanguagePlugin = {
  id: "python",
  aliases: ["py", "python3"],
  displayName: "Python 3",
  versionProbe: ["/usr/bin/python3", "--version"],
  sourceFile: "main.py",
  run: {
    // -B: the source directory is read-only while the program runs, so never try to write .pyc.
    // Not -I: isolated mode would also drop PYTHONPATH, which the runtime may need to set.
    argv: ({ sourcePath }) => ["/usr/bin/python3", "-B", sourcePath]
  },
  defaultLimits: standardLimits,
  maxLimits: standardMaxima,
  quote: quotePython,
  syntax: {
    lineComments: ["#"],
    blockComments: [],
    strings: ['"""', "'''", '"', "'"],
    interpolations: fStrings
  },
  runtime: {
    image: "codebox/python:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    nativePaths: [],
    env: {
      PYTHONDONTWRITEBYTECODE: "1",
      // Output written before a time limit fires is kept only if it left the process.
      PYTHONUNBUFFERED: "1",
      // matplotlib (if present) wants a writable config dir; HOME may be read-only.
      MPLCONFIGDIR: "/tmp"
    },
    debianPackages: ["python3", "python3-pil", "python3-reportlab", "python3-numpy", "python3-pypdf"],
    libraries: ["numpy", "Pillow", "reportlab", "pypdf"]
  },
  hostile,
  samples: {
    hello: `print("hello")\n`,
    echoUpper: `import sys\n\nsys.stdout.write(sys.stdin.read().upper())\n`,
    copyInput: [
      `with open(IN_1, "rb") as source:`,
      `    data = source.read()`,
      `with open(OUT_copy.txt, "wb") as target:`,
      `    target.write(data)`,
      `print(len(data))`,
      ``
    ].join("\n"),
    exitThree: `import sys\n\nsys.exit(3)\n`,
    // Filled with a non-zero byte so every page is really touched.
    memoryHog: [`chunks = []`, `while True:`, `    chunks.append(bytearray(b"\\x01") * (10 * 1024 * 1024))`, ``].join("\n"),
    busyLoop: `n = 0\nwhile True:\n    n += 1\n`,
    placeholders: [
      `print("code", IN_1)`,
      `print("string IN_1")`,
      `print(f"interpolated {IN_1}")`,
      `print(f"nested {f'{IN_1}'}")`,
      `data = open(IN_1, "rb").read()`,
      `open(OUT_result.tar.gz, "wb").write(data)`,
      `open(f"{'OUT_data.json'}", "wb").write(data)`,
      ``
    ].join("\n")
  }
}

export default python
