import { defineConfig } from "vitest/config"

const fault = "packages/*/src/**/*.fault.test.ts"
/** Tests that load the whole machine (the hostile suite without isolation): after the others, alone. */
const alone = "packages/*/src/**/*.alone.test.ts"
const vm = "packages/*/src/**/*.vm.test.ts"
/** The focused check on the cgroup-v2 VM that every `npm test` runs (native-cgroup2.vmfocus.test.ts). */
const vmFocus = "packages/*/src/**/*.vmfocus.test.ts"
/** The production stack brought up with Compose (npm run compose:up), its images built by the set-up. */
const compose = "packages/*/src/**/*.compose.test.ts"

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "main",
          include: ["packages/*/src/**/*.test.ts"],
          exclude: [fault, alone, vm, vmFocus, compose, "**/node_modules/**"]
        }
      },
      // Fault tests restart PostgreSQL and RabbitMQ, and the unisolated hostile run loads the whole
      // machine: they run in a group of their own, one file at a time, never beside other tests.
      { extends: true, test: { name: "fault", include: [fault, alone], sequence: { groupOrder: 1 }, fileParallelism: false } },
      // The cgroup-v2 VM (packages/sandbox-native/vm) takes both cores: after the fault group, alone.
      // Its file boots the VM while being collected, so collection gets the whole budget. By default
      // only the focused check (about 3 minutes after the set-up's cached build); the whole suites
      // (about 17 minutes under emulation on 2 cores) when asked for: `npm run test:cgroup2`, or
      // CODEBOX_TEST_CGROUP2=1 with npm test.
      { extends: true, test: { name: "vm", include: [vmFocus], sequence: { groupOrder: 2 }, fileParallelism: false } },
      // The Compose stack (PostgreSQL, RabbitMQ, the server and two Docker-sandbox workers in
      // containers, about a minute and a half) loads both cores and kills a worker: alone, last.
      { extends: true, test: { name: "compose", include: [compose], sequence: { groupOrder: 3 }, fileParallelism: false } },
      ...(process.env.CODEBOX_TEST_CGROUP2 === "1"
        ? [{ extends: true, test: { name: "cgroup2", include: [vm], sequence: { groupOrder: 4 }, fileParallelism: false } }]
        : [])
    ]
  }
})
