/**
 * `@codebox/sandbox-native/staging`: the tmpfs areas that sandboxes copy mounts through, one per
 * step and sized for it, so that no host path is bound into a job and no job fills another's room,
 * with random names; and `hidePaths` for error texts that
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
export { type JobArea, type JobAreaPool, makeJobAreaPool } from "./native/jobAreas.ts"
export { type CopiedBack, stageStep } from "./native/stageStep.ts"
