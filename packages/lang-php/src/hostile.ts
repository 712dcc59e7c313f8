import type { HostilePrograms } from "@codebox/core"

const fill = (dir: string) =>
  [
    `<?php`,
    `$chunk = str_repeat("\\x01", 1024 * 1024);`,
    `for ($n = 0; ; $n++) {`,
    `    if (@file_put_contents("${dir}fill-$n", $chunk) !== strlen($chunk)) {`,
    `        break;`,
    `    }`,
    `}`,
    `echo "full $n\\n";`,
    ``
  ].join("\n")

/** Attacks on the sandbox written in PHP (the CLI has pcntl and posix). See HostilePrograms. */
export const hostile: HostilePrograms = {
  forkBomb: `<?php\nwhile (true) {\n    @pcntl_fork();\n}\n`,
  sleeper: `<?php\nsleep(3600);\n`,
  stdoutFlood: `<?php\n$line = str_repeat("x", 4096);\nwhile (true) {\n    echo $line;\n}\n`,
  stderrFlood: `<?php\n$line = str_repeat("x", 4096);\nwhile (true) {\n    fwrite(STDERR, $line);\n}\n`,
  fillDisk: fill(""),
  fillTmp: fill("/tmp/"),
  connect: `<?php\n$s = @fsockopen($argv[1], (int)$argv[2], $errno, $errstr, 3);\necho $s ? "connected\\n" : "blocked\\n";\n`,
  readFile: `<?php\n$data = @file_get_contents($argv[1]);\necho $data === false ? "denied\\n" : $data;\n`,
  // A stat of each /proc/self/fd/N (listing the directory would itself open one); php-cli keeps
  // its own script open, which is not inherited.
  openFiles: `<?php\n$fds = [];\nfor ($fd = 3; $fd < 1024; $fd++) {\n    if (@file_exists("/proc/self/fd/$fd") && @readlink("/proc/self/fd/$fd") !== __FILE__) $fds[] = $fd;\n}\necho implode(" ", $fds), "\\n";\n`,
  printEnv: `<?php\nforeach (getenv() as $name => $value) {\n    echo "$name=$value\\n";\n}\n`,
  daemon: [
    `<?php`,
    `$pid = pcntl_fork();`,
    `if ($pid === 0) {`,
    `    posix_setsid();`,
    `    if (pcntl_fork() === 0) {`,
    `        sleep(3600);`,
    `    }`,
    `    exit(0);`,
    `}`,
    `pcntl_waitpid($pid, $status);`,
    `echo "started\\n";`,
    ``
  ].join("\n"),
  leaveFiles: [
    `<?php`,
    `$found = file_exists("/tmp/codebox-marker") || file_exists("codebox-marker");`,
    `echo $found ? "leftover\\n" : "fresh\\n";`,
    `file_put_contents("/tmp/codebox-marker", "x");`,
    `file_put_contents("codebox-marker", "x");`,
    ``
  ].join("\n"),
  segfault: `<?php\nposix_kill(posix_getpid(), 11);\nsleep(5);\n`,
  deepRecursion: `<?php\nfunction f($n) {\n    return f($n + 1) + 1;\n}\nf(0);\n`,
  printArgs: `<?php\nforeach (array_slice($argv, 1) as $arg) {\n    echo $arg, "\\n";\n}\n`,
  binaryOutput: `<?php\n$bytes = '';\nfor ($i = 0; $i < 256; $i++) {\n    $bytes .= chr($i);\n}\nfwrite(STDOUT, $bytes);\nfwrite(STDERR, "A\\0B\\n");\n`
}
