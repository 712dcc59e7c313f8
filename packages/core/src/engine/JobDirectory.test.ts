import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { ScriptedSandbox } from "@codebox/testkit"
import { toyPlugin } from "@codebox/test-support"
import * as CodeBox from "../CodeBox.ts"
import { Engine } from "../Engine.ts"
import { Executor } from "../Executor.ts"
import { isLeftover, type JobDirectoryOwner, thisProcess } from "./JobDirectory.ts"

/** A pid no process has any more: a child that has exited and been reaped. */
const deadPid = (): number => Number(spawnSync("/bin/sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim())

const self: JobDirectoryOwner = { pid: 100, host: "0123abcd", instance: "feedf00d" }
const alive = (pid: number) => pid === 100 || pid === 200

describe("job directories", () => {
  it("are leftovers when this host's owner is gone or was an earlier process with this pid", () => {
    expect(isLeftover("job-300-0123abcd-11111111-Ab3xYz", self, alive)).toBe(true)
    expect(isLeftover("job-100-0123abcd-11111111-Ab3xYz", self, alive)).toBe(true)
    // Live: this process's own, and another live process's on this host.
    expect(isLeftover("job-100-0123abcd-feedf00d-Ab3xYz", self, alive)).toBe(false)
    expect(isLeftover("job-200-0123abcd-11111111-Ab3xYz", self, alive)).toBe(false)
    // Another host's (a worker container sharing the work root): its pid means nothing here.
    expect(isLeftover("job-300-99999999-11111111-Ab3xYz", self, alive)).toBe(false)
    // Names that say no owner are left alone.
    expect(isLeftover("job-Ab3xYz", self, alive)).toBe(false)
    expect(isLeftover("notes.txt", self, alive)).toBe(false)
  })

  it.effect("left by dead processes are removed when the executor starts; live processes' stay", () =>
    Effect.gen(function* () {
      const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-workroot-"))
      const make = (name: string) => {
        fs.mkdirSync(path.join(workRoot, name, "out", "d", "d"), { recursive: true })
        fs.writeFileSync(path.join(workRoot, name, "src-of-another-user.py"), "print('secret')")
        return name
      }
      const { host, instance } = thisProcess
      const dead = make(`job-${deadPid()}-${host}-${instance}-aaaaaa`)
      const earlierSamePid = make(`job-${process.pid}-${host}-00000000-bbbbbb`)
      const liveOther = make(`job-${process.ppid}-${host}-11111111-cccccc`)
      const ownLive = make(`job-${process.pid}-${host}-${instance}-dddddd`)
      const otherHost = make(`job-${deadPid()}-ffffffff-22222222-eeeeee`)
      const scripted = ScriptedSandbox.make(() => ScriptedSandbox.outcome({ stdout: "ran" }))
      const listed = yield* Effect.gen(function* () {
        yield* Executor
        const listed = fs.readdirSync(workRoot).sort()
        // The engine still runs jobs, in directories that name their owner.
        const engine = yield* Engine
        const task = yield* engine.submit({ language: "toy", source_code: "x" }, [])
        yield* (yield* Executor).execute(task.task_id)
        return listed
      }).pipe(Effect.provide(CodeBox.layer({ plugins: [toyPlugin()], sandbox: scripted.layer, concurrency: 0, executor: { workRoot } })))
      expect(listed).toEqual([liveOther, ownLive, otherHost].sort())
      expect(listed).not.toContain(dead)
      expect(listed).not.toContain(earlierSamePid)
      const jobRoot = path.dirname(scripted.steps[0]!.mounts[0]!.hostPath)
      expect(path.basename(jobRoot)).toMatch(new RegExp(`^job-${process.pid}-${host}-${instance}-`))
      fs.rmSync(workRoot, { recursive: true, force: true })
    })
  )
})
