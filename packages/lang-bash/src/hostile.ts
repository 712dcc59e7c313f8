import type { HostilePrograms } from "@codebox/core"

// One 1 MiB string of x, written whole per file; the printf builtin fails when the write does.
const fill = (dir: string) =>
  [
    `chunk=$(head -c 1048576 /dev/zero | tr '\\0' x)`,
    `n=0`,
    `while printf '%s' "$chunk" 2>/dev/null > "${dir}fill-$n"; do n=$((n + 1)); done`,
    `echo "full $n"`,
    ``
  ].join("\n")

const flood = (redirect: string) => `line=$(head -c 4096 /dev/zero | tr '\\0' x)\nwhile :; do printf '%s' "$line"${redirect}; done\n`

/**
 * Attacks on the sandbox written in Bash (see HostilePrograms). Bash has no threads and cannot
 * make a raw system call; a crash is a signal the script sends itself.
 */
export const hostile: HostilePrograms = {
  // Each child sleeps; a failed fork only makes bash print an error and go on.
  forkBomb: `while :; do sleep 3600 & done 2>/dev/null\n`,
  sleeper: `sleep 3600\n`,
  stdoutFlood: flood(""),
  stderrFlood: flood(" >&2"),
  fillDisk: fill(""),
  fillTmp: fill("/tmp/"),
  // bash's own /dev/tcp redirection: socket(2) and connect(2), no external program.
  connect: `if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then echo connected; else echo blocked; fi\n`,
  readFile: `cat -- "$1" 2>/dev/null || echo denied\n`,
  printEnv: `env\n`,
  // A subshell starts the sleeper in a session of its own and exits: the sleeper is orphaned.
  daemon: `(setsid sleep 3600 </dev/null >/dev/null 2>&1 &)\necho started\n`,
  leaveFiles: [
    `if [ -e /tmp/codebox-marker ] || [ -e codebox-marker ]; then echo leftover; else echo fresh; fi`,
    `: > /tmp/codebox-marker`,
    `: > codebox-marker`,
    ``
  ].join("\n"),
  // Bash cannot fault by itself: it sends itself the signal, which the engine reports the same way.
  segfault: `kill -SEGV $$\n`,
  // Each call is a C-level recursion in bash: its stack or the memory limit ends it.
  deepRecursion: `f() { f; }\nf\n`,
  printArgs: `for arg in "$@"; do printf '%s\\n' "$arg"; done\n`,
  binaryOutput: `for i in {0..255}; do printf "\\\\$(printf %o "$i")"; done\nprintf 'A\\0B\\n' >&2\n`,
  // Bash keeps its script open on descriptor 255 (the only one of its own); it is left out.
  openFiles: [
    `script=$(readlink -f "$0")`,
    `fds=()`,
    `for fd in {3..1023}; do`,
    `  [ -e "/proc/$$/fd/$fd" ] || continue`,
    `  [ "$(readlink "/proc/$$/fd/$fd")" = "$script" ] || fds+=("$fd")`,
    `done`,
    `echo "\${fds[*]}"`,
    ``
  ].join("\n")
}
