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
  /**
   * The limits this step runs under (the task's, with the step's own over them), for runtimes that
   * must be told their share rather than find it (a JVM's heap). Absent where no step is run.
   */
  readonly limits?: Limits
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
  /**
   * Debian packages the runtime needs: installed on the host for the native sandbox by CodeBox's
   * set-up, and passed to the image recipe as the build argument `DEBIAN_PACKAGES`.
   */
  readonly debianPackages: ReadonlyArray<string>
  /**
   * npm packages user code may load without an install step, installed read-only under `prefix`
   * (on the host by the set-up, in the image through the build arguments `NPM_PREFIX` and
   * `NPM_PACKAGES`); `prefix` is usually also in `nativePaths`.
   */
  readonly npmPackages?: { readonly prefix: string; readonly packages: ReadonlyArray<string> }
  /** What user code can import without installing anything, as people name it (`numpy`, `gd`), for docs and `/api/languages`. */
  readonly libraries?: ReadonlyArray<string>
}

/**
 * Code embedded in a string literal: javascript's `` `${...}` ``, python's `f"{...}"`, php's
 * `"{$...}"`, or `"#{...}"`. Between `open` and `close` the placeholder rewrite treats the text
 * as code again (a placeholder there becomes a quoted literal), and strings, comments and further
 * interpolations nest inside it. Plain data, so a plugin loaded from configuration can declare it.
 */
export interface StringInterpolation {
  /** The delimiter of the strings that interpolate: one of `SourceSyntax.strings`. */
  readonly string: string
  /**
   * When only some such strings interpolate, the letters that mark them, standing right before the
   * delimiter (python: `f`, `rf`, ...; matched exactly). Without it every such string interpolates.
   */
  readonly prefixes?: ReadonlyArray<string>
  /** What starts the code inside the string (`${`, `{`, `{$`, `#{`). */
  readonly open: string
  /**
   * What ends it (`}`). When it is a closing bracket, brackets of its kind opened inside the code
   * are matched first, so `${ {a: 1}.a }` ends at the last brace.
   */
  readonly close: string
  /** Sequences that stand for themselves inside the string and so do not open code (python's `{{`, `}}`). */
  readonly escapes?: ReadonlyArray<string>
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
  /** Code inside string literals, where the language has it (C has none). */
  readonly interpolations?: ReadonlyArray<StringInterpolation>
}

/** Where a placeholder in code stands, for `LanguagePlugin.quote`. */
export interface QuoteContext {
  /**
   * Delimiters of the strings whose interpolations hold the placeholder, outermost first; empty at
   * the top level. A language whose interpolated code may not reuse an enclosing string's quote
   * (python before 3.12: `f"{'/box/in/a'}"`, never `f"{"/box/in/a"}"`) picks another quote from it.
   */
  readonly enclosing: ReadonlyArray<string>
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
  /**
   * Optional (checked when given): placeholders in every position the language has. Prints these
   * lines, each with the path IN_1 stands for: `code PATH` (IN_1 written in code), `string PATH`
   * (IN_1 inside a plain string literal) and, when the plugin declares `syntax.interpolations`,
   * `interpolated PATH` (IN_1 in code inside an interpolation) and `nested PATH` (IN_1 in code
   * inside an interpolation inside a string inside an interpolation). Then copies IN_1 to
   * `OUT_result.tar.gz` (written in code) and to `OUT_data.json` (written inside a string; where
   * the language interpolates, inside a string literal inside an interpolation).
   */
  readonly placeholders?: string
}

/**
 * Programs that attack the sandbox, run by the hostile suite (`@codebox/testkit`) against every
 * real sandbox. Each is optional: a case runs only for the languages where it applies. What each
 * must do is fixed here, so the suite can assert the outcome precisely in every language.
 */
export interface HostilePrograms {
  /** Forks without end, ignoring failed forks (never exits by itself). */
  readonly forkBomb?: string
  /** Starts threads without end, each sleeping, ignoring failures (never exits by itself). */
  readonly threadBomb?: string
  /** Sleeps for an hour without using the cpu. */
  readonly sleeper?: string
  /** Writes to stdout without end. */
  readonly stdoutFlood?: string
  /** Writes to stderr without end. */
  readonly stderrFlood?: string
  /**
   * Writes 1 MiB files named fill-0, fill-1, ... into its working directory until a write fails,
   * then prints `full N`, N the number of files written whole.
   */
  readonly fillDisk?: string
  /** The same in /tmp. */
  readonly fillTmp?: string
  /** Connects over TCP to host args[0], port args[1]; prints `connected` or `blocked`, exits 0. */
  readonly connect?: string
  /** Prints the file named by args[0], or `denied` when it cannot be opened or read; exits 0. */
  readonly readFile?: string
  /** Prints its environment, one NAME=value a line. */
  readonly printEnv?: string
  /** Starts a detached, double-forked process that sleeps for an hour, prints `started`, exits 0. */
  readonly daemon?: string
  /** Prints `fresh` if neither /tmp/codebox-marker nor ./codebox-marker exists, else `leftover`; then creates both. */
  readonly leaveFiles?: string
  /** Dies from SIGSEGV. */
  readonly segfault?: string
  /** Recurses without end. */
  readonly deepRecursion?: string
  /** Prints each of its arguments on a line of its own, verbatim. */
  readonly printArgs?: string
  /** Writes the 256 byte values 0 to 255 in order to stdout and the bytes `A`, NUL, `B`, newline to stderr; exits 0. */
  readonly binaryOutput?: string
  /** Makes a chain of 22,000 nested directories `d` in its working directory, prints `deep`, exits 0. */
  readonly deepTree?: string
  /** Makes 16 sparse files `sparse-N.bin` of 256 MiB apparent size (nothing written) in its working directory, prints `sparse`. */
  readonly sparseFiles?: string
  /** Compiled languages: a source that includes /etc/shadow at compile time. */
  readonly includeHostFile?: string
  /** Compiled languages: a source whose compilation explodes in time or memory. */
  readonly hugeCompile?: string
  /**
   * Makes the system call named by args[0] with harmless arguments: `io_uring_setup` (1 entry),
   * `userfaultfd` (user-mode only), `bpf` (create a 1-entry array map), `ptrace` (PTRACE_TRACEME),
   * `unshare` (CLONE_NEWUSER) or `keyctl` (the id of the user keyring). Prints `ok` when it
   * succeeds, else the errno's symbolic name (`EPERM`, `ENOSYS`, ...); exits 0. For languages that
   * can make raw system calls (x86_64 numbers).
   */
  readonly syscall?: string
  /**
   * The kernel keyring across jobs. `add SECRET`: adds a `user` key named `codebox-hostile` holding
   * SECRET to the session keyring and prints `added`, or the errno's name. `read`: prints that key's
   * contents, or `none` when the session keyring has none.
   */
  readonly keyring?: string
  /**
   * Prints the numbers of its open descriptors above 2 on one line (an empty line when none),
   * leaving out those its runtime opens for itself (php-cli's script; Node's event loop holds
   * several, so javascript has no such program).
   */
  readonly openFiles?: string
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
  /**
   * A string literal for a path, as the language writes one. `context` says which interpolated
   * strings enclose the placeholder; most languages can ignore it.
   */
  readonly quote: (path: string, context?: QuoteContext) => string
  readonly syntax: SourceSyntax
  readonly runtime: RuntimeSpec
  readonly samples: PluginSamples
  /** Attacks on the sandbox in this language, for the hostile suite. */
  readonly hostile?: HostilePrograms
}

/** A JSON string is a valid string literal in python, javascript and C for the paths CodeBox makes. */
export const quoteJson = (path: string): string => JSON.stringify(path)
