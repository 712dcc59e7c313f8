import * as fs from "node:fs"
import { NativeSandbox } from "@codebox/sandbox-native"
import { DockerSandbox } from "@codebox/sandbox-docker"
import { hostileSuite, pluginConformance } from "@codebox/testkit"
import { describe } from "vitest"
import ruby from "../src/index.js"

// The contract every plugin meets, with the samples and the hostile programs run for real in
// CodeBox's native sandbox, and in its Docker sandbox when a daemon with the images is there
// (RUBY_PLUGIN_DOCKER=1 asks for it, 0 leaves it out; with 1 a missing daemon or image fails).
pluginConformance(ruby)

const native = NativeSandbox.layer()
pluginConformance(ruby, { sandbox: native })
hostileSuite("native", native, { plugins: [ruby], leftovers: () => NativeSandbox.leftovers() })

if (process.env.RUBY_PLUGIN_DOCKER === "1" || (process.env.RUBY_PLUGIN_DOCKER !== "0" && fs.existsSync("/var/run/docker.sock"))) {
  const docker = DockerSandbox.layer()
  pluginConformance(ruby, { sandbox: docker, timeoutMs: 90_000 })
  hostileSuite("docker", docker, { plugins: [ruby], leftovers: () => DockerSandbox.leftovers(), timeoutMs: 90_000 })
} else {
  describe.skip("Docker sandbox: no daemon here (set RUBY_PLUGIN_DOCKER=1 to require it)", () => undefined)
}
