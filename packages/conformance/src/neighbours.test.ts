import * as path from "node:path"
import { python } from "@codebox/lang-python"
import { DockerSandbox } from "@codebox/sandbox-docker"
import { NativeSandbox } from "@codebox/sandbox-native"
import { dockerSkipReason } from "@codebox/test-support"
import { neighbourSuite } from "@codebox/testkit"
import { describe } from "vitest"

// Issue 18: hostile jobs run beside a well-behaved one through the whole engine; it stays ok.
const wellBehaved = {
  source: [
    "total = sum(i * i for i in range(200_000))",
    'with open("result.txt", "w") as f:',
    "    f.write(str(total))",
    "print(total)",
    ""
  ].join("\n"),
  stdout: `${Array.from({ length: 200_000 }, (_, i) => BigInt(i) * BigInt(i)).reduce((a, b) => a + b, 0n)}\n`,
  resultFile: String(Array.from({ length: 200_000 }, (_, i) => BigInt(i) * BigInt(i)).reduce((a, b) => a + b, 0n))
}

// Shared staging tmpfs smaller than what the staging fill may write (its memory limit): before each
// step had an area of its own, the fill took all of it from its neighbours.
neighbourSuite("native", NativeSandbox.layer({ stagingMb: 64 }), { plugin: python, wellBehaved })

const skip = dockerSkipReason(path.resolve(import.meta.dirname, "../../.."))
if (skip !== null) describe.skip(`Docker neighbour suite: ${skip}`, () => undefined)
else neighbourSuite("docker", DockerSandbox.layer({ stagingMb: 64 }), { plugin: python, wellBehaved })
