/**
 * `@codebox/sandbox-native/staging`: the size-bounded tmpfs that sandboxes copy mounts through, so
 * that no host path is bound into a job, with random names; and `hidePaths` for error texts that
 * reach a task's result. Shared with `@codebox/sandbox-docker`.
 */
export {
  type CopyLimits,
  copyTree,
  defaultMaxCopyBytes,
  makeStagingDir,
  mountStagingArea,
  randomName,
  unmountStagingArea
} from "./native/staging.ts"
export { hidePaths } from "./native/hidePaths.ts"
