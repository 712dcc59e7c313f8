import * as path from "node:path"
import { DockerSandbox } from "@codebox/sandbox-docker"
import { hostileSuite, pluginConformance, sandboxConformance } from "@codebox/testkit"
import { c } from "@codebox/lang-c"
import { javascript } from "@codebox/lang-javascript"
import { php } from "@codebox/lang-php"
import { java } from "@codebox/lang-java"
import { typescript } from "@codebox/lang-typescript"
import { lua } from "@codebox/lang-lua"
import { perl } from "@codebox/lang-perl"
import { bash } from "@codebox/lang-bash"
import { cpp } from "@codebox/lang-cpp"
import { python } from "@codebox/lang-python"
import { describe } from "vitest"
import { dockerSkipReason } from "@codebox/test-support"

// The same suites as every other sandbox, against real containers of the images that
// sandbox/build-images.sh builds. They skip only when the set-up wrote down why Docker cannot
// run here; a daemon that is simply missing fails them.
const skip = dockerSkipReason(path.resolve(import.meta.dirname, "../../.."))
const plugins = [python, c, javascript, php, cpp, bash, lua, perl, typescript, java]

if (skip !== null) {
  describe.skip(`Docker sandbox suites: ${skip}`, () => undefined)
} else {
  const sandbox = DockerSandbox.layer()
  sandboxConformance("docker", sandbox, { plugins, timeoutMs: 90_000, concurrency: 2 })
  hostileSuite("docker", sandbox, { plugins, leftovers: () => DockerSandbox.leftovers(), timeoutMs: 90_000 })
  for (const plugin of plugins) pluginConformance(plugin, { sandbox, timeoutMs: 90_000 })
}
