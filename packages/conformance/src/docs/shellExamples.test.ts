import { describe, expect, it } from "vitest"
import { matchAnswer, shellExamples, substituteIds } from "./shellExamples.ts"

const doc = [
  "Intro",
  "```sh",
  "curl -s localhost:8000/api/tasks/create -H 'content-type: application/json' \\",
  `  -d '{"programming_language": "python"}'`,
  '# 202 {"task_id":"5c0e...","status":"accepted"}',
  "curl -s $CODEBOX/api/tasks/5c0e.../task_result   # polls",
  '# {"task_id":"5c0e...","result":{"stdout":"42\\n",',
  '#   "returncode":0,...}}',
  "# prose, not an answer",
  "```",
  "",
  "<!-- example: not run (needs Docker) -->",
  "```sh",
  "docker compose up && curl -s localhost:8000/api/health",
  "```",
  "```sh",
  "npm start",
  "```"
].join("\n")

describe("shell examples of a document", () => {
  it("finds the blocks that call curl, their steps and answers, and the ones marked not to run", () => {
    const [first, second, ...rest] = shellExamples("doc.md", doc)
    expect(rest).toEqual([])
    expect(first!.line).toBe(2)
    expect(first!.notRun).toBeUndefined()
    expect(first!.steps.map((s) => s.expect)).toEqual([
      { status: 202, body: '{"task_id":"5c0e...","status":"accepted"}' },
      { status: undefined, body: '{"task_id":"5c0e...","result":{"stdout":"42\\n","returncode":0,...}}' }
    ])
    expect(first!.steps[1]!.script).toBe("curl -s $CODEBOX/api/tasks/5c0e.../task_result   # polls\n# prose, not an answer")
    expect(second!.notRun).toBe("needs Docker")
  })

  it("compares JSON answers as values: members in any order, … where some are left out, nothing else extra", () => {
    const ids = new Map<string, string>()
    expect(matchAnswer('{"b":1,"a":[1,2]}', '{"a":[1,2],"b":1}', ids)).toBe(true)
    expect(matchAnswer('{"a":1}', '{"a":1,"b":2}', ids)).toBe(false)
    expect(matchAnswer('{"a":1,...}', '{"a":1,"b":2}', ids)).toBe(true)
    expect(matchAnswer('{"a":1,…}', '{"a":2,"b":2}', ids)).toBe(false)
    expect(matchAnswer('{"l":[{"n":"x"}, ...]}', '{"l":[{"n":"x"},{"n":"y"}]}', ids)).toBe(true)
    expect(matchAnswer('{"l":[{"n":"x"}]}', '{"l":[{"n":"x"},{"n":"y"}]}', ids)).toBe(false)
    expect(matchAnswer('{"v":"Python 3..."}', '{"v":"Python 3.11.2"}', ids)).toBe(true)
    expect(matchAnswer('{"v":"Python 3..."}', '{"v":"PHP 8"}', ids)).toBe(false)
    expect(matchAnswer("hello", "hello\n", ids)).toBe(true)
    expect(matchAnswer("hello", "goodbye", ids)).toBe(false)
  })

  it("binds an abbreviated id at its first answer and holds later answers and commands to it", () => {
    const ids = new Map<string, string>()
    expect(matchAnswer('{"task_id":"5c0e..."}', '{"task_id":"a-1"}', ids)).toBe(true)
    expect(ids.get("5c0e...")).toBe("a-1")
    expect(matchAnswer('{"task_id":"5c0e...","other":"9d1a…"}', '{"task_id":"b-2","other":"c"}', ids)).toBe(false)
    expect(matchAnswer('{"task_id":"5c0e..."}', '{"task_id":"a-1"}', ids)).toBe(true)
    expect(substituteIds("curl $CODEBOX/api/tasks/5c0e.../task_result; unzip 5c0e....zip", ids)).toBe(
      "curl $CODEBOX/api/tasks/a-1/task_result; unzip a-1.zip"
    )
    // A failed match binds nothing.
    expect(matchAnswer('{"task_id":"9d1a...","x":1}', '{"task_id":"d-4","x":2}', ids)).toBe(false)
    expect(ids.has("9d1a...")).toBe(false)
  })
})
