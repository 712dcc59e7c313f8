/**
 * `@codebox/sandbox-native/cgroup`: reading cgroup mounts and files (v1 and v2). Shared with
 * `@codebox/sandbox-docker`, which reads its containers' cpu time and peak memory the same way.
 */
export { readKey, readNumber, readText } from "./native/Cgroup.ts"
export { type CgroupMount, parseMountinfo } from "./native/detect.ts"
