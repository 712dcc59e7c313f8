import { defineConfig } from "vitest/config"

const fault = "packages/*/src/**/*.fault.test.ts"

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "main", include: ["packages/*/src/**/*.test.ts"], exclude: [fault, "**/node_modules/**"] } },
      // Fault tests restart PostgreSQL and RabbitMQ: they run in a group of their own, one file at a
      // time, never beside the tests that use those services.
      { extends: true, test: { name: "fault", include: [fault], sequence: { groupOrder: 1 }, fileParallelism: false } }
    ]
  }
})
