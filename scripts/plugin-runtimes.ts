/**
 * What the configured language plugins declare about their runtimes, for the shell scripts that
 * install them: the set-up (native sandbox hosts) and the image build (Docker sandbox). Reads
 * CODEBOX_PLUGINS like the server and the worker do, through the same function, so set-up, images
 * and apps always agree on the languages; no script names one.
 *
 * Usage: node scripts/plugin-runtimes.ts debian | npm | images
 *   debian   the Debian packages of every plugin, one line, space-separated
 *   npm      one line per npm library set: PREFIX<TAB>PACKAGE...
 *   images   one line per plugin: IMAGE|DOCKERFILE|DEBIAN_PACKAGES|NPM_PREFIX|NPM_PACKAGES (a "|" never occurs in them;
 *            a tab would, being white space to `read`, let an empty field vanish)
 */
import { readPlugins } from "@codebox/app"
import { Effect } from "effect"

const what = process.argv[2]
const plugins = await Effect.runPromise(readPlugins).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})

if (what === "debian") {
  console.log([...new Set(plugins.flatMap((p) => p.runtime.debianPackages))].join(" "))
} else if (what === "npm") {
  const sets = new Map<string, Set<string>>()
  for (const p of plugins) {
    if (p.runtime.npmPackages === undefined) continue
    const set = sets.get(p.runtime.npmPackages.prefix) ?? new Set<string>()
    for (const pkg of p.runtime.npmPackages.packages) set.add(pkg)
    sets.set(p.runtime.npmPackages.prefix, set)
  }
  for (const [prefix, set] of sets) console.log(`${prefix}\t${[...set].join(" ")}`)
} else if (what === "images") {
  for (const p of plugins) {
    const npm = p.runtime.npmPackages
    console.log(
      [p.runtime.image, p.runtime.dockerfile, p.runtime.debianPackages.join(" "), npm?.prefix ?? "", npm?.packages.join(" ") ?? ""].join(
        "|"
      )
    )
  }
} else {
  console.error("usage: node scripts/plugin-runtimes.ts debian | npm | images")
  process.exit(2)
}
