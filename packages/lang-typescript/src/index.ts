import { fileURLToPath } from "node:url"
import { javascript, libraries, libraryDir, libraryPrefix } from "@codebox/lang-javascript"
import type { HostilePrograms, LanguagePlugin } from "@codebox/core"

/** The TypeScript compiler, installed beside the JavaScript plugin's libraries. */
export const compilerPackage = "typescript@5"
export const compilerDir = `${libraryDir}/typescript`

/**
 * The compile step's program, run by `node -e` with the source and output paths as arguments:
 * `ts.transpileModule`, one file, to CommonJS (so `require` and NODE_PATH work as in the
 * JavaScript plugin). It reports syntax errors and erases types without checking them, as Node's
 * own type stripping and most online runners do; a type error does not stop the program.
 */
export const transpileScript = [
  `const ts = require(${JSON.stringify(compilerDir)});`,
  `const fs = require("node:fs");`,
  `const [source, output] = process.argv.slice(1);`,
  `const result = ts.transpileModule(fs.readFileSync(source, "utf8"), {`,
  `  fileName: source,`,
  `  reportDiagnostics: true,`,
  `  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true }`,
  `});`,
  `if (result.diagnostics.length > 0) {`,
  `  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => require("node:path").dirname(source), getNewLine: () => "\\n" };`,
  `  process.stderr.write(ts.formatDiagnostics(result.diagnostics, host));`,
  `  process.exit(1);`,
  `}`,
  `fs.writeFileSync(output, result.outputText);`
].join("\n")

/**
 * The program runs in the JavaScript plugin's runtime, where every attack of the hostile suite
 * already runs once; here only those that cross the compile step and the extra run flag: a fork
 * bomb respawning the compiled file, a sleeper (also what cancellation kills), host files, files
 * left for the next job beside the compiled output, and arguments that must reach the program,
 * not Node (`--version`).
 */
const js = javascript.hostile!
const hostileSubset: HostilePrograms = {
  forkBomb: js.forkBomb!,
  sleeper: js.sleeper!,
  readFile: js.readFile!,
  leaveFiles: js.leaveFiles!,
  printArgs: js.printArgs!
}

/**
 * TypeScript on Node.js: transpiled to CommonJS JavaScript by the TypeScript compiler, then run
 * like the JavaScript plugin's programs, with the same libraries importable.
 */
export const typescript: LanguagePlugin = {
  id: "typescript",
  aliases: ["ts"],
  displayName: "TypeScript (Node.js)",
  versionProbe: [
    "/usr/bin/node",
    "-e",
    `console.log("TypeScript " + require(${JSON.stringify(compilerDir)}).version + ", Node.js " + process.version)`
  ],
  sourceFile: "main.ts",
  compile: {
    // The JavaScript goes next to the source: srcDir is writable only during this step.
    argv: ({ sourcePath, srcDir }) => ["/usr/bin/node", "-e", transpileScript, sourcePath, `${srcDir}/main.js`],
    // Node loads the compiler (about 9 MB of JavaScript): more memory than a small program.
    limits: { wall_time_ms: 30_000, cpu_time_ms: 20_000, memory_mb: 512 }
  },
  run: {
    // Stack traces name lines of main.ts, through the inline source map.
    argv: ({ srcDir }) => ["/usr/bin/node", "--enable-source-maps", `${srcDir}/main.js`]
  },
  defaultLimits: javascript.defaultLimits,
  maxLimits: javascript.maxLimits,
  quote: javascript.quote,
  syntax: javascript.syntax,
  runtime: {
    image: "codebox/typescript:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    nativePaths: [libraryDir],
    env: { NODE_PATH: libraryDir },
    debianPackages: ["nodejs"],
    // One set with the JavaScript plugin's (the same prefix): the set-up installs them together.
    npmPackages: { prefix: libraryPrefix, packages: [...libraries, compilerPackage] },
    libraries: libraries.map((l) => l.replace(/@[^@]*$/, ""))
  },
  hostile: hostileSubset,
  samples: {
    hello: `const greeting: string = "hello"\nconsole.log(greeting)\n`,
    // Read stdin as a stream: readFileSync(0) fails with EAGAIN on a non-blocking pipe.
    echoUpper: [
      `const chunks: Array<Buffer> = []`,
      `process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk))`,
      `process.stdin.on("end", () => process.stdout.write(Buffer.concat(chunks).toString("utf8").toUpperCase()))`,
      ``
    ].join("\n"),
    copyInput: [
      `import * as fs from "node:fs"`,
      ``,
      `const data: Buffer = fs.readFileSync(IN_1)`,
      `fs.writeFileSync(OUT_copy.txt, data)`,
      `console.log(data.length)`,
      ``
    ].join("\n"),
    exitThree: `process.exit(3)\n`,
    // Buffers live outside the V8 heap, so this reaches the sandbox's limit, not V8's.
    memoryHog: `const chunks: Array<Buffer> = []\nfor (;;) chunks.push(Buffer.alloc(10 * 1024 * 1024, 1))\n`,
    busyLoop: `let n: number = 0\nfor (;;) n++\n`,
    placeholders: [
      `import * as fs from "node:fs"`,
      ``,
      `const show = (label: string, path: string): void => console.log(label + " " + path)`,
      `show("code", IN_1)`,
      `console.log("string IN_1")`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source, not a template here
      "console.log(`interpolated ${IN_1}`)",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source, not a template here
      "console.log(`nested ${`${IN_1}`}`)",
      `const data: Buffer = fs.readFileSync(IN_1)`,
      `fs.writeFileSync(OUT_result.tar.gz, data)`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source, not a template here
      "fs.writeFileSync(`${'OUT_data.json'}`, data)",
      ``
    ].join("\n")
  }
}

export default typescript
