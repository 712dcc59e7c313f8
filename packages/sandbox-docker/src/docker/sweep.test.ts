import { describe, expect, it } from "vitest"
import { Labels } from "./containerSpec.ts"
import { isLeftover } from "./sweep.ts"

const now = 1_000_000
const self = { host: "worker-a", pid: 40, startedAtMs: now - 10_000 }
const container = (labels: Record<string, string>, createdMs = now - 5000) => ({
  id: "c",
  createdMs,
  labels: { [Labels.sandbox]: "1", [Labels.deadline]: String(now + 5000), ...labels }
})
const alive = (pids: Array<number>) => (pid: number) => pids.includes(pid)

describe("isLeftover", () => {
  it("leaves a live worker's container on this host alone", () => {
    expect(isLeftover(container({ [Labels.host]: "worker-a", [Labels.pid]: "41" }), self, now, alive([41]))).toBe(false)
  })

  it("removes one whose worker on this host is gone", () => {
    expect(isLeftover(container({ [Labels.host]: "worker-a", [Labels.pid]: "41" }), self, now, alive([]))).toBe(true)
  })

  it("removes one with this very pid made before this process started: a previous process made it", () => {
    expect(isLeftover(container({ [Labels.host]: "worker-a", [Labels.pid]: "40" }, now - 60_000), self, now, alive([40]))).toBe(true)
  })

  it("leaves this process's own running containers alone (a second layer in the same process)", () => {
    expect(isLeftover(container({ [Labels.host]: "worker-a", [Labels.pid]: "40" }), self, now, alive([40]))).toBe(false)
  })

  it("leaves another host's container alone until its deadline passed", () => {
    const other = container({ [Labels.host]: "worker-b", [Labels.pid]: "41" })
    expect(isLeftover(other, self, now, alive([]))).toBe(false)
    expect(isLeftover(other, self, now + 6000, alive([]))).toBe(true)
  })
})
