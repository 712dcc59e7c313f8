import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, quoteJson, standardLimits, standardMaxima } from "@codebox/core"

/** Where the read-only libraries for user code are installed, in the image and on native hosts. */
export const libraryPrefix = "/opt/codebox"
export const libraryDir = `${libraryPrefix}/node_modules`

/**
 * The npm packages user code may `require` without installing them: the one list, installed on
 * native hosts by CodeBox's set-up and in the image through its build arguments.
 */
export const libraries = ["pdf-lib@1", "jimp@1", "csv-parser@3", "yaml@2", "xlsx@0.18", "fs-extra@11", "jsonfile@6"]

/** JavaScript on Node.js (CommonJS `require`), with pdf-lib, jimp, xlsx and friends importable. */
export const javascript: LanguagePlugin = {
  id: "javascript",
  aliases: ["js", "node", "nodejs"],
  displayName: "JavaScript (Node.js)",
  versionProbe: ["/usr/bin/node", "--version"],
  sourceFile: "main.js",
  run: {
    argv: ({ sourcePath }) => ["/usr/bin/node", sourcePath]
  },
  // Node runs about ten threads of its own; the pids limit counts threads, and 100 leaves room.
  defaultLimits: standardLimits,
  maxLimits: standardMaxima,
  quote: quoteJson,
  syntax: {
    lineComments: ["//"],
    blockComments: [["/*", "*/"]],
    strings: ['"', "'", "`"],
    // Template literals: `${...}` is code.
    interpolations: [{ string: "`", open: "${", close: "}" }]
  },
  runtime: {
    image: "codebox/javascript:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    nativePaths: [libraryDir],
    env: { NODE_PATH: libraryDir },
    debianPackages: ["nodejs"],
    npmPackages: { prefix: libraryPrefix, packages: libraries },
    libraries: libraries.map((l) => l.replace(/@[^@]*$/, ""))
  },
  hostile,
  samples: {
    hello: `console.log("hello")\n`,
    // Read stdin as a stream: readFileSync(0) fails with EAGAIN on a non-blocking pipe.
    echoUpper: [
      `const chunks = []`,
      `process.stdin.on("data", (chunk) => chunks.push(chunk))`,
      `process.stdin.on("end", () => process.stdout.write(Buffer.concat(chunks).toString("utf8").toUpperCase()))`,
      ``
    ].join("\n"),
    copyInput: [
      `const fs = require("node:fs")`,
      `const data = fs.readFileSync(IN_1)`,
      `fs.writeFileSync(OUT_copy.txt, data)`,
      `console.log(data.length)`,
      ``
    ].join("\n"),
    exitThree: `process.exit(3)\n`,
    // Buffers live outside the V8 heap, so this reaches the sandbox's limit, not V8's.
    memoryHog: `const chunks = []\nfor (;;) chunks.push(Buffer.alloc(10 * 1024 * 1024, 1))\n`,
    busyLoop: `let n = 0\nfor (;;) n++\n`,
    placeholders: [
      `const fs = require("node:fs")`,
      `console.log("code " + IN_1)`,
      `console.log("string IN_1")`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: javascript source, not a template here
      "console.log(`interpolated ${IN_1}`)",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: javascript source, not a template here
      "console.log(`nested ${`${IN_1}`}`)",
      `const data = fs.readFileSync(IN_1)`,
      `fs.writeFileSync(OUT_result.tar.gz, data)`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: javascript source, not a template here
      "fs.writeFileSync(`${'OUT_data.json'}`, data)",
      ``
    ].join("\n")
  }
}

export default javascript
