import type { Limits } from "./domain/Limits.ts"

/**
 * Fixed paths inside every sandbox. The executor lays out a job directory on the host and each
 * sandbox mounts it here, so plugins can write argv templates without knowing the host.
 */
export const SandboxPaths = {
  /** The source file and anything the compile step builds; read-only while the program runs. */
  src: "/box/src",
  /** The uploaded files, read-only. */
  in: "/box/in",
  /** Where the program writes output files; also its working directory. */
  out: "/box/out"
} as const

/** What a plugin's argv templates are given. */
export interface StepContext {
  /** Absolute path of the source file inside the sandbox. */
  readonly sourcePath: string
  /** The directory of the source file inside the sandbox (writable during the compile step). */
  readonly srcDir: string
}

export interface StepSpec {
  readonly argv: (ctx: StepContext) => ReadonlyArray<string>
  /** Limits for this step when they differ from the task's (compilers need more than the program). */
  readonly limits?: Partial<Limits>
}

/** How a language reaches the hosts' runtimes. */
export interface RuntimeSpec {
  /** Docker image the DockerSandbox runs this language in, and the recipe that builds it. */
  readonly image: string
  readonly dockerfile: string
  /** Host paths the NativeSandbox binds read-only beside /usr (library trees outside /usr). */
  readonly nativePaths: ReadonlyArray<string>
  /** Environment for both sandboxes (PATH and HOME are always set by the sandbox). */
  readonly env: Readonly<Record<string, string>>
  /** Debian packages the native sandbox needs on the host (installed by the project's set-up). */
  readonly debianPackages: ReadonlyArray<string>
}

/**
 * Which characters open strings and comments in the language, so placeholders inside them are
 * replaced by the bare path and placeholders in code by a quoted literal.
 */
export interface SourceSyntax {
  readonly lineComments: ReadonlyArray<string>
  readonly blockComments: ReadonlyArray<readonly [open: string, close: string]>
  /** String delimiters, longest first (`"""` before `"`). */
  readonly strings: ReadonlyArray<string>
}

/** Small programs every plugin ships, run by the conformance suites against real sandboxes. */
export interface PluginSamples {
  /** Prints exactly `hello\n`. */
  readonly hello: string
  /** Reads stdin and writes it back upper-cased, nothing else. */
  readonly echoUpper: string
  /** Copies IN_1 to OUT_copy.txt and prints the number of bytes copied. */
  readonly copyInput: string
  /** Exits with code 3 without output. */
  readonly exitThree: string
  /** Allocates memory without bound. */
  readonly memoryHog: string
  /** Loops forever using the cpu. */
  readonly busyLoop: string
}

export interface LanguagePlugin {
  /** Canonical id, as stored and reported (`python`). */
  readonly id: string
  /** Other names a client may use (`py`, `python3`). */
  readonly aliases: ReadonlyArray<string>
  readonly displayName: string
  /** argv that prints the runtime's version, run inside the sandbox. */
  readonly versionProbe: ReadonlyArray<string>
  /** File name of the source inside the sandbox's src directory (`main.py`). */
  readonly sourceFile: string
  readonly compile?: StepSpec
  readonly run: StepSpec
  readonly defaultLimits: Limits
  readonly maxLimits: Limits
  /** A string literal for a path, as the language writes one. */
  readonly quote: (path: string) => string
  readonly syntax: SourceSyntax
  readonly runtime: RuntimeSpec
  readonly samples: PluginSamples
}

/** A JSON string is a valid string literal in python, javascript and C for the paths CodeBox makes. */
export const quoteJson = (path: string): string => JSON.stringify(path)
