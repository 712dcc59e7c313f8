import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineLayer } from "./layers.ts"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { call, postJson, type RunningServer, startServer } from "./test-support/harness.ts"
import { scriptedPrograms } from "./test-support/scriptedPrograms.ts"

/**
 * Random requests against a real server (loopback only): bodies, form parts, headers, paths and
 * query strings made from a seeded generator, so a failure prints the seed and replays exactly.
 * Whatever arrives, the server answers below 500 and keeps answering.
 */

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
const generator = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  const pick = <A>(items: ReadonlyArray<A>): A => items[int(items.length)]!
  const chars = [
    "a",
    "Z",
    "0",
    "-",
    "_",
    ".",
    "/",
    "%",
    "%00",
    "\u0000",
    "é",
    "😀",
    "\u202e",
    " ",
    '"',
    "'",
    "\\",
    "{",
    "[",
    "?",
    "&",
    "=",
    "#",
    ":",
    "\n"
  ]
  const text = (max = 12) => Array.from({ length: int(max) }, () => pick(chars)).join("")
  const keys = [
    "programming_language",
    "source_code",
    "stdin",
    "args",
    "limits",
    "input_files",
    "files",
    "callback_url",
    "wall_time_ms",
    "memory_mb",
    "__proto__",
    "constructor",
    "x",
    ""
  ]
  const value = (depth: number): unknown => {
    switch (int(depth > 2 ? 6 : 8)) {
      case 0:
        return null
      case 1:
        return pick([true, false])
      case 2:
        return pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53, 100, 120000, Number.MAX_SAFE_INTEGER])
      case 3:
        return text()
      case 4:
        return pick(["python", "c", "javascript", "php", "py", "cobol", "PYTHON ", "print ok", "copy IN_1 OUT_x.txt", "OUT_noext"])
      case 5:
        return "x".repeat(int(3) === 0 ? 70_000 : 5)
      case 6:
        return Array.from({ length: int(4) }, () => value(depth + 1))
      default:
        return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(keys), value(depth + 1)]))
    }
  }
  return { int, pick, text, value }
}

const taskId = "00000000-0000-0000-0000-000000000000"
const paths = [
  "/api/tasks/create",
  "/api/file_task/create",
  `/api/tasks/${taskId}/task_result`,
  `/api/tasks/${taskId}`,
  `/api/file_task/${taskId}/download`,
  `/api/file_task/${taskId}/files`,
  `/api/file_task/${taskId}/files/out.txt`,
  "/api/languages",
  "/api/health",
  "/api/health/ready",
  "/api/openapi.json",
  "/dashboard/api/tasks",
  "/dashboard/api/summary",
  `/dashboard/api/tasks/${taskId}`,
  "/metrics",
  "/"
]

/** A valid task with one or two fields changed (or added): what reaches the handlers, not just the parser. */
const nearlyValidTask = (g: ReturnType<typeof generator>) => {
  const task: Record<string, unknown> = { programming_language: g.pick(["python", "c", "javascript", "php"]), source_code: "print ok" }
  for (let i = 1 + g.int(2); i > 0; i--) {
    const field = g.pick(["source_code", "stdin", "args", "limits", "programming_language", "limits", g.text(6)])
    task[field] =
      field === "args"
        ? [g.text(), g.text()]
        : field === "limits"
          ? { [g.pick(["wall_time_ms", "memory_mb", "processes", "timeout"])]: g.value(3) }
          : g.pick([g.text(), g.value(2)])
  }
  return task
}

const randomRequest = (g: ReturnType<typeof generator>, base: string): { url: string; init: RequestInit } => {
  // Two in five are nearly valid tasks, so the handlers and the store see odd values, not only the parser.
  if (g.int(5) < 2) {
    const body = JSON.stringify(nearlyValidTask(g))
    return { url: `${base}/api/tasks/create`, init: { method: "POST", headers: { "content-type": "application/json" }, body } }
  }
  const segments = g.pick(paths).split("/")
  // Sometimes one path segment is replaced by junk (encoded, so it reaches the router as bytes).
  if (g.int(3) === 0) segments[1 + g.int(segments.length - 1)] = encodeURIComponent(g.text(40))
  const query = Array.from(
    { length: g.int(3) },
    () =>
      `${encodeURIComponent(g.pick(["wait", "limit", "state", "x", g.text(5)]))}=${encodeURIComponent(g.pick(["0", "1", "-1", "NaN", "1e9", g.text(8)]))}`
  )
  const url = `${base}${segments.join("/")}${query.length > 0 ? `?${query.join("&")}` : ""}`
  const method = g.pick(["GET", "GET", "POST", "POST", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"])
  const headers: Record<string, string> = {}
  if (g.int(4) === 0) headers["x-api-key"] = encodeURIComponent(g.text(20))
  if (g.int(6) === 0)
    headers.authorization = g.pick(["Bearer ", "Basic ###", "Bearer a b", `Basic ${Buffer.from(g.text(10)).toString("base64")}`])
  if (method === "GET" || method === "OPTIONS") return { url, init: { method, headers } }
  const kind = g.int(4)
  if (kind === 0) {
    const form = new FormData()
    for (let i = g.int(6); i > 0; i--) {
      const name = g.pick(["programming_language", "source_code", "stdin", "args", "limits", "input_files", "files", "files[]", g.text(6)])
      if (g.int(3) === 0) form.append(name, new Blob([g.text(30)]), g.text(10) || "f")
      else form.append(name, String(g.value(2)))
    }
    return { url, init: { method, headers, body: form } }
  }
  headers["content-type"] = g.pick([
    "application/json",
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    encodeURIComponent(g.text(10))
  ])
  const body = kind === 1 ? g.text(60) : JSON.stringify(kind === 2 ? nearlyValidTask(g) : g.value(0))
  return { url, init: { method, headers, body } }
}

describe("HTTP fuzzing", () => {
  const programs = scriptedPrograms()
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, programs.layer), { rateLimit: 0, maxJsonBodyBytes: 64 * 1024 })
  })
  afterAll(() => server.close())

  it("answers random requests below 500 and keeps serving", { timeout: 300_000 }, async () => {
    const seed = Number(process.env.CODEBOX_FUZZ_SEED ?? 20261201)
    const g = generator(seed)
    const failures: Array<string> = []
    for (let i = 0; i < 300; i++) {
      const { url, init } = randomRequest(g, server.url)
      const response = await call(url, init).catch((e: unknown) => ({ status: 599, text: String(e) }))
      if (response.status >= 500) failures.push(`#${i} ${init.method} ${url} -> ${response.status} ${response.text.slice(0, 300)}`)
    }
    expect(failures, `seed ${seed}`).toEqual([])
    expect((await call(`${server.url}/api/health`)).status).toBe(200)
    const ran = await postJson(`${server.url}/api/tasks/create?wait=20`, {
      programming_language: "python",
      source_code: "print still here"
    })
    expect(ran.body.result.stdout).toBe("still here\n")
  })
})
