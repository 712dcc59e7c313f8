import * as fs from "node:fs"
import { c } from "@codebox/lang-c"
import { javascript, libraries, libraryDir } from "@codebox/lang-javascript"
import { php } from "@codebox/lang-php"
import { java } from "@codebox/lang-java"
import { typescript } from "@codebox/lang-typescript"
import { lua } from "@codebox/lang-lua"
import { perl } from "@codebox/lang-perl"
import { bash } from "@codebox/lang-bash"
import { cpp } from "@codebox/lang-cpp"
import { python } from "@codebox/lang-python"
import { createCodeBox, type LanguagePlugin, quoteJson, standardLimits, standardMaxima } from "@codebox/core"
import { NativeSandbox } from "@codebox/sandbox-native"
import { hostileSuite, pluginConformance, sandboxConformance } from "@codebox/testkit"
import { Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"

// The native sandbox with every language: the contract, each plugin's samples, the hostile suite.
const plugins = [python, c, javascript, php, cpp, bash, lua, perl, typescript, java]
const sandbox = NativeSandbox.layer()

sandboxConformance("native", sandbox, { plugins, concurrency: 2 })
hostileSuite("native", sandbox, { plugins, leftovers: () => NativeSandbox.leftovers() })
for (const plugin of plugins) pluginConformance(plugin, { sandbox })

describe("native sandbox: host runtimes installed by the set-up", () => {
  const box = createCodeBox({ plugins, sandbox: sandbox.pipe(Layer.orDie), concurrency: 2 })
  afterAll(() => box.close())
  const run = async (language: string, source_code: string) => {
    const task = await box.awaitResult((await box.submit({ language, source_code })).task_id, 60_000)
    expect(task?.result?.verdict, task?.result?.stderr).toBe("ok")
    return task!.result!.stdout
  }

  it("python has Pillow, ReportLab and NumPy", { timeout: 60_000 }, async () => {
    expect(await run("python", "import PIL, reportlab, numpy\nprint('ok')\n")).toBe("ok\n")
  })

  it("php has gd, mbstring, xml and zip", { timeout: 60_000 }, async () => {
    const source = `<?php\nforeach (['gd', 'mbstring', 'xml', 'zip'] as $e) echo extension_loaded($e) ? "$e\\n" : "missing $e\\n";\n`
    expect(await run("php", source)).toBe("gd\nmbstring\nxml\nzip\n")
  })

  it("javascript can require the libraries the plugin lists, read-only", { timeout: 60_000 }, async () => {
    const names = libraries.map((l) => l.replace(/@[^@]*$/, ""))
    for (const name of names) expect(fs.existsSync(`${libraryDir}/${name}`), name).toBe(true)
    const source =
      `for (const n of ${JSON.stringify(names)}) require(n)\n` +
      `try { require("node:fs").writeFileSync(${JSON.stringify(`${libraryDir}/x`)}, "x"); console.log("writable") } catch { console.log("ok") }\n`
    expect(await run("javascript", source)).toBe("ok\n")
  })

  it("typescript imports the same libraries, erases types without checking them, and stops at a syntax error", {
    timeout: 60_000
  }, async () => {
    const source = `import { PDFDocument } from "pdf-lib"\nconst wrong: number = "not checked" as unknown as number\nconsole.log(typeof PDFDocument.create, typeof wrong)\n`
    expect(await run("typescript", source)).toBe("function string\n")
    const broken = await box.awaitResult((await box.submit({ language: "ts", source_code: "const x: number = \n" })).task_id, 60_000)
    expect(broken?.result?.verdict).toBe("compile_error")
    expect(broken?.result?.compile?.stderr).toContain("main.ts(1,18): error TS1109: Expression expected.")
  })
})

describe("native sandbox: a language defined by its user", () => {
  // A fifth language the engine has never heard of, on binaries every host has.
  const shell: LanguagePlugin = {
    id: "sh",
    aliases: ["shell"],
    displayName: "POSIX shell",
    versionProbe: ["/bin/sh", "-c", "echo dash"],
    sourceFile: "main.sh",
    run: { argv: ({ sourcePath }) => ["/bin/sh", sourcePath] },
    defaultLimits: standardLimits,
    maxLimits: standardMaxima,
    quote: quoteJson,
    syntax: { lineComments: ["#"], blockComments: [], strings: ['"', "'"] },
    runtime: { image: "codebox/sh:1", dockerfile: "/nonexistent", nativePaths: [], env: { GREETING: "hi" }, debianPackages: ["dash"] },
    samples: {
      hello: "echo hello\n",
      echoUpper: "tr a-z A-Z\n",
      copyInput: "cp IN_1 OUT_copy.txt\n",
      exitThree: "exit 3\n",
      memoryHog: "x\n",
      busyLoop: "while :; do :; done\n"
    }
  }
  const box = createCodeBox({ plugins: [shell], sandbox: sandbox.pipe(Layer.orDie), concurrency: 1 })
  afterAll(() => box.close())

  it("runs through the engine with its input and output files, isolated", { timeout: 60_000 }, async () => {
    const source = `tr a-z A-Z < IN_1 > OUT_upper.txt\necho "$GREETING $(id -u) $(ls /)"\n`
    const submitted = await box.submit({ language: "shell", source_code: source }, [
      { name: "in.txt", data: new TextEncoder().encode("abc\n") }
    ])
    const task = await box.awaitResult(submitted.task_id, 60_000)
    expect(task?.result?.verdict, task?.result?.stderr).toBe("ok")
    const [greeting, uid, ...root] = task!.result!.stdout.trim().split(/\s+/)
    expect(greeting).toBe("hi")
    expect(Number(uid)).toBeGreaterThan(0)
    expect(root).not.toContain("root")
    expect(root).toContain("box")
    expect(new TextDecoder().decode(await box.readOutput(submitted.task_id, "upper.txt"))).toBe("ABC\n")
  })
})
