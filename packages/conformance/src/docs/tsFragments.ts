import * as fs from "node:fs"
import * as path from "node:path"

/** A ```ts block of a document, with what the type-check needs around it. */
export interface TsFragment {
  /** `document:line`, for messages. */
  readonly where: string
  /** The directory whose node_modules resolve its imports: the package a README belongs to, else the root. */
  readonly base: string
  /** TypeScript put before the block: the `<!-- example context: ... -->` comment right above it. */
  readonly context: string
  readonly code: string
}

const block = /(?:<!--\s*example context:([\s\S]*?)-->\s*)?```ts\n([\s\S]*?)```/g

/**
 * Every ```ts block of README.md, docs/*.md and packages/* /README.md. A block that uses names it
 * does not define (a `box` made in an earlier block, a program's text) gets them from an
 * `<!-- example context: ... -->` comment right above it: declarations a reader never sees.
 */
export const tsFragments = (root: string): ReadonlyArray<TsFragment> => {
  const documents = [
    { file: "README.md", base: root },
    ...fs.readdirSync(path.join(root, "docs")).map((f) => ({ file: `docs/${f}`, base: root })),
    ...fs.readdirSync(path.join(root, "packages")).map((p) => ({ file: `packages/${p}/README.md`, base: path.join(root, "packages", p) }))
  ].filter((d) => d.file.endsWith(".md") && fs.existsSync(path.join(root, d.file)))
  return documents.flatMap(({ file, base }) => {
    const text = fs.readFileSync(path.join(root, file), "utf8")
    return [...text.matchAll(block)].map((m) => ({
      where: `${file}:${text.slice(0, m.index + m[0].indexOf("```ts")).split("\n").length}`,
      base,
      context: (m[1] ?? "").trim(),
      code: m[2]!
    }))
  })
}

/** What a fragment's `../src/index` import means: the reader's own plugin; only its type matters here. */
export const readersPlugin = `import type { LanguagePlugin } from "@codebox/core"
declare const plugin: LanguagePlugin
export { plugin }
export default plugin
`
