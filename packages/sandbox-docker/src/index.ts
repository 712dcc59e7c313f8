/** `@codebox/sandbox-docker`: the Sandbox as one hardened Docker container per step (dockerode). */
export * as DockerSandbox from "./DockerSandbox.ts"
export type { DockerSandboxOptions } from "./DockerSandbox.ts"
