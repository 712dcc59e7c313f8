import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { builtInPlugins } from "@codebox/app"
import { dockerSkipReason, installExample, repoRoot, testAmqpUrl } from "@codebox/test-support"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Cluster, startCluster } from "./test-support/cluster.ts"
import { type ServerProcess, startServerProcess } from "./test-support/serverProcess.ts"

/**
 * A fifth language from outside: examples/codebox-lang-ruby, installed as its author would (npm,
 * against CodeBox's packed packages), offered by naming its folder in CODEBOX_PLUGINS. Nothing in
 * CodeBox's own files changes for it: the set-up installs Ruby from the plugin's declaration, and
 * the server and the worker load it from configuration.
 */
const run = promisify(execFile)
const node = process.execPath
const dockerSkip = dockerSkipReason(repoRoot)
let rubyDir = ""
let withRuby = ""
const servers: Array<ServerProcess> = []
let cluster: Cluster | undefined

const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "codebox-plugins-"))
const startServer = async (env: Record<string, string>) => {
  const server = await startServerProcess({ CODEBOX_DATA_DIR: dataDir(), ...env })
  servers.push(server)
  return server.base
}
const createTask = (base: string, body: object) =>
  fetch(`${base}/api/tasks/create`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
const resultOf = async (base: string, id: string) =>
  (await (await fetch(`${base}/api/tasks/${id}/task_result?wait=60`)).json()) as {
    status: string
    result: { stdout: string; stderr: string; verdict: string; output_files: Array<string> }
  }

beforeAll(async () => {
  rubyDir = await installExample("codebox-lang-ruby")
  withRuby = [...builtInPlugins, rubyDir].join(",")
  // The set-up, as `npm run setup` runs it: the runtimes of the listed plugins, from their declarations.
  await run("bash", [path.join(repoRoot, "scripts/setup.d/10-sandbox-runtimes.sh")], {
    cwd: repoRoot,
    env: { ...process.env, CODEBOX_PLUGINS: withRuby, CODEBOX_ROOT: repoRoot, CODEBOX_NODE: node },
    timeout: 600_000
  })
  // And its image, from its own recipe, for the Docker sandbox (the others are up to date).
  if (dockerSkip === null)
    await run("bash", [path.join(repoRoot, "sandbox/build-images.sh"), "--offline"], {
      cwd: repoRoot,
      env: { ...process.env, CODEBOX_PLUGINS: withRuby },
      timeout: 600_000
    })
}, 1_500_000)

afterAll(async () => {
  for (const s of servers) s.child.kill("SIGKILL")
  await cluster?.stop()
})

describe("a language plugin published from outside, named in CODEBOX_PLUGINS", () => {
  it("the set-up installed its runtime from the plugin's declaration", () => {
    expect(fs.existsSync("/usr/bin/ruby")).toBe(true)
  })

  it("passes its own tests: plugin conformance and hostile programs on the native and the Docker sandbox", {
    timeout: 900_000
  }, async () => {
    const env = { ...process.env, RUBY_PLUGIN_DOCKER: dockerSkip === null ? "1" : "0" }
    const { stdout } = await run("npm", ["test", "--", "--reporter=dot"], { cwd: rubyDir, env, timeout: 890_000 }).catch(
      (e: { stdout: string; stderr: string }) => {
        throw new Error(`the plugin's own tests failed:\n${e.stdout}\n${e.stderr}`)
      }
    )
    expect(stdout).toMatch(/Tests\s+.*\d+ passed/)
  })

  it("a server started with it answers a Ruby task and a Ruby file task; /api/languages lists it", { timeout: 180_000 }, async () => {
    const base = await startServer({ CODEBOX_PLUGINS: withRuby })
    const languages = (await (await fetch(`${base}/api/languages`)).json()) as { languages: Array<{ id: string }> }
    expect(languages.languages.map((l) => l.id)).toEqual([
      "python",
      "c",
      "javascript",
      "php",
      "cpp",
      "bash",
      "lua",
      "perl",
      "typescript",
      "java",
      "ruby"
    ])
    const openapi = (await (await fetch(`${base}/api/openapi.json`)).json()) as { info: { description: string } }
    expect(openapi.info.description).toContain("ruby (also rb)")

    const created = await createTask(base, { programming_language: "rb", source_code: "puts [1, 2, 3].sum * 7\n" })
    expect(created.status).toBe(202)
    const task = await resultOf(base, ((await created.json()) as { task_id: string }).task_id)
    expect([task.status, task.result.verdict, task.result.stdout]).toEqual(["SUCCESS", "ok", "42\n"])

    const form = new FormData()
    form.append("programming_language", "ruby")
    form.append("source_code", "sum = File.read(IN_1).split.map(&:to_i).sum\nFile.write(OUT_sum.txt, sum.to_s)\nputs sum\n")
    form.append("input_files", "numbers.txt")
    form.append("files", new Blob(["1 2 3 4"]), "numbers.txt")
    const fileTask = await fetch(`${base}/api/file_task/create`, { method: "POST", body: form })
    expect(fileTask.status).toBe(202)
    const id = ((await fileTask.json()) as { task_id: string }).task_id
    const done = await resultOf(base, id)
    expect([done.status, done.result.stdout, done.result.output_files]).toEqual(["SUCCESS", "10\n", ["sum.txt"]])
    const download = await fetch(`${base}/api/file_task/${id}/download`)
    expect([download.status, await download.text()]).toEqual([200, "10"])
  })

  it("a worker in distributed mode with the same list runs Ruby", { timeout: 180_000 }, async () => {
    cluster = await startCluster({ CODEBOX_PLUGINS: withRuby })
    const worker = cluster.spawnWorker("ruby-worker")
    await cluster.awaitWorker(worker.name)
    const base = await startServer({
      CODEBOX_PLUGINS: withRuby,
      DATABASE_URL: cluster.databaseUrl,
      CODEBOX_AMQP_URL: testAmqpUrl,
      CODEBOX_AMQP_QUEUE: cluster.queue,
      CODEBOX_DATA_DIR: cluster.dataDir
    })
    const created = await createTask(base, { programming_language: "ruby", source_code: "puts RUBY_ENGINE\n" })
    expect(created.status).toBe(202)
    const task = await resultOf(base, ((await created.json()) as { task_id: string }).task_id)
    expect([task.status, task.result.stdout]).toEqual(["SUCCESS", "ruby\n"])
  })

  it("a server started without it answers 400 UnsupportedLanguage for ruby", { timeout: 120_000 }, async () => {
    const base = await startServer({ CODEBOX_PLUGINS: builtInPlugins.join(",") })
    const response = await createTask(base, { programming_language: "ruby", source_code: "puts 1\n" })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { _tag: string })._tag).toBe("UnsupportedLanguage")
  })

  it("a bad entry in CODEBOX_PLUGINS stops the start, naming the module and what is wrong", { timeout: 120_000 }, async () => {
    const notAPlugin = path.join(dataDir(), "not-a-plugin.mjs")
    fs.writeFileSync(notAPlugin, `export default { id: "Bad Id", aliases: [] }\n`)
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ["./no/such/folder", /CODEBOX_PLUGINS: \.\/no\/such\/folder: cannot be loaded/],
      ["@codebox/no-such-plugin", /CODEBOX_PLUGINS: @codebox\/no-such-plugin: cannot be loaded/],
      ["effect", /CODEBOX_PLUGINS: effect: exports no plugin/],
      [notAPlugin, /is not a valid LanguagePlugin: [\s\S]*\["id"\]/],
      [`${builtInPlugins[0]},${builtInPlugins[0]}`, /the language name "python" is already taken/]
    ]
    for (const [plugins, message] of cases) {
      const error = await startServer({ CODEBOX_PLUGINS: plugins }).then(
        () => new Error(`started with CODEBOX_PLUGINS=${plugins}`),
        (e: Error) => e
      )
      expect(error.message, plugins).toMatch(/server exited \(1\)/)
      expect(error.message, plugins).toMatch(message)
    }
  })
})

describe("CodeBox's own files name no third-party language", () => {
  it("nothing under packages/, scripts/ or sandbox/, nor the Dockerfile, names ruby", async () => {
    const { stdout } = await run("git", ["ls-files", "packages", "scripts", "sandbox", "Dockerfile", "docker-compose.yml"], {
      cwd: repoRoot
    })
    const files = stdout.split("\n").filter((f) => f !== "" && f !== "packages/worker/src/plugins.config.test.ts")
    expect(files.length).toBeGreaterThan(100)
    const naming = files.filter((f) => /ruby/i.test(f) || /\bruby\b/i.test(fs.readFileSync(path.join(repoRoot, f), "utf8")))
    expect(naming).toEqual([])
  })
})
