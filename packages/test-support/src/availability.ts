import * as fs from "node:fs"
import * as path from "node:path"

/**
 * Why the Docker suites must skip, or null when they must run. The project's set-up
 * (scripts/setup.d/20-docker.sh) writes `.tools/docker-unavailable` with the reason when it could
 * not start a daemon or build the images; without that note a missing daemon is a failure, so a
 * broken Docker set-up never passes as a skip.
 */
export const dockerSkipReason = (repoRoot: string): string | null => {
  const note = path.join(repoRoot, ".tools", "docker-unavailable")
  return fs.existsSync(note) ? `Docker unavailable (set-up said: ${fs.readFileSync(note, "utf8").trim()})` : null
}
