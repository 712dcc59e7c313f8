/**
 * `@codebox/sandbox-native/staging`: the size-bounded tmpfs that sandboxes copy mounts through, so
 * that no host path is bound into a job. Shared with `@codebox/sandbox-docker`.
 */
export { type CopyLimits, copyTree, defaultMaxCopyBytes, makeStagingDir, mountStagingArea, unmountStagingArea } from "./native/staging.ts"
