/**
 * `@codebox/core/docker`: the Docker sandbox. A separate entry point so that embedders who run
 * only the native sandbox never load dockerode.
 */
export * as DockerSandbox from "./sandbox/DockerSandbox.ts"
export type { DockerSandboxOptions } from "./sandbox/DockerSandbox.ts"
