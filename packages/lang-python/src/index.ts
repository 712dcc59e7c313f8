import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, quoteJson, standardLimits, standardMaxima } from "@codebox/core"

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
  quote: quoteJson,
  syntax: {
    lineComments: ["#"],
    blockComments: [],
    strings: ['"""', "'''", '"', "'"]
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
    busyLoop: `n = 0\nwhile True:\n    n += 1\n`
  }
}

export default python
