import { defineConfig } from "vitest/config"

const fault = "packages/*/src/**/*.fault.test.ts"
const vm = "packages/*/src/**/*.vm.test.ts"

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "main", include: ["packages/*/src/**/*.test.ts"], exclude: [fault, vm, "**/node_modules/**"] } },
      // Fault tests restart PostgreSQL and RabbitMQ: they run in a group of their own, one file at a
      // time, never beside the tests that use those services.
      { extends: true, test: { name: "fault", include: [fault], sequence: { groupOrder: 1 }, fileParallelism: false } },
      // The cgroup-v2 VM (packages/sandbox-native/vm) takes both cores for minutes: last, alone.
      // Its file runs the VM while being collected, so collection gets the whole budget.
      { extends: true, test: { name: "cgroup2", include: [vm], sequence: { groupOrder: 2 }, fileParallelism: false } }
    ]
  }
})
