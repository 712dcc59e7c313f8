/**
 * `@codebox/sandbox-native/staging`: the size-bounded tmpfs that sandboxes copy mounts through, so
 * that no host path is bound into a job. Shared with `@codebox/sandbox-docker`.
 */
export { copyTree, makeStagingDir, mountStagingArea, randomName, unmountStagingArea } from "./native/staging.ts"
