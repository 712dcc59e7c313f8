import { defineConfig } from "vitest/config"

// The suite that runs inside the cgroup-v2 VM (native-cgroup2.vm.test.ts boots it). Node runs about
// ten times slower there (TCG emulation), hence the long timeouts; one file, one worker.
export default defineConfig({
  test: {
    root: `${import.meta.dirname}/../../..`,
    include: ["packages/conformance/vm/*.guest.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    fileParallelism: false
  }
})
