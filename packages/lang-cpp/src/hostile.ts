import type { HostilePrograms } from "@codebox/core"
import { hostileSyscalls } from "@codebox/lang-c"

const fill = (dir: string) =>
  [
    `#include <stdio.h>`,
    `#include <string.h>`,
    ``,
    `int main() {`,
    `  static char buf[1 << 20];`,
    `  memset(buf, 1, sizeof buf);`,
    `  int n = 0;`,
    `  for (;; n++) {`,
    `    char name[64];`,
    `    snprintf(name, sizeof name, "${dir}fill-%d", n);`,
    `    FILE *f = fopen(name, "wb");`,
    `    if (f == nullptr) break;`,
    `    size_t written = fwrite(buf, 1, sizeof buf, f);`,
    `    if (fclose(f) != 0 || written != sizeof buf) break;`,
    `  }`,
    `  printf("full %d\\n", n);`,
    `  return 0;`,
    `}`,
    ``
  ].join("\n")

const flood = (stream: string) =>
  `#include <stdio.h>\n#include <string.h>\n\nint main() {\n  char line[4096];\n  memset(line, 'x', sizeof line - 1);\n  line[sizeof line - 1] = 0;\n  for (;;) fputs(line, ${stream});\n}\n`

/**
 * Attacks on the sandbox written in C++, at run time and at compile time (see HostilePrograms). Most
 * are the C plugin's programs in the C subset C++ shares, so the two compilers meet the same attacks.
 */
export const hostile: HostilePrograms = {
  forkBomb: `#include <unistd.h>\n\nint main() {\n  for (;;) fork();\n}\n`,
  threadBomb: [
    `#include <chrono>`,
    `#include <system_error>`,
    `#include <thread>`,
    ``,
    `int main() {`,
    `  for (;;) {`,
    `    try {`,
    `      std::thread([] { std::this_thread::sleep_for(std::chrono::hours(1)); }).detach();`,
    `    } catch (const std::system_error &) {`,
    `    }`,
    `  }`,
    `}`,
    ``
  ].join("\n"),
  sleeper: `#include <unistd.h>\n\nint main() {\n  sleep(3600);\n  return 0;\n}\n`,
  stdoutFlood: flood("stdout"),
  stderrFlood: flood("stderr"),
  fillDisk: fill(""),
  fillTmp: fill("/tmp/"),
  connect: [
    `#include <netdb.h>`,
    `#include <stdio.h>`,
    `#include <sys/socket.h>`,
    `#include <unistd.h>`,
    ``,
    `int main(int argc, char **argv) {`,
    `  struct addrinfo hints = {0}, *res;`,
    `  hints.ai_socktype = SOCK_STREAM;`,
    `  if (argc < 3 || getaddrinfo(argv[1], argv[2], &hints, &res) != 0) {`,
    `    puts("blocked");`,
    `    return 0;`,
    `  }`,
    `  int s = socket(res->ai_family, SOCK_STREAM, 0);`,
    `  puts(s >= 0 && connect(s, res->ai_addr, res->ai_addrlen) == 0 ? "connected" : "blocked");`,
    `  return 0;`,
    `}`,
    ``
  ].join("\n"),
  readFile: [
    `#include <stdio.h>`,
    ``,
    `int main(int argc, char **argv) {`,
    `  FILE *f = argc > 1 ? fopen(argv[1], "rb") : nullptr;`,
    `  if (f == nullptr) {`,
    `    puts("denied");`,
    `    return 0;`,
    `  }`,
    `  char buf[4096];`,
    `  size_t n, total = 0;`,
    `  while ((n = fread(buf, 1, sizeof buf, f)) > 0) total += fwrite(buf, 1, n, stdout);`,
    `  if (total == 0 && ferror(f)) puts("denied");`,
    `  return 0;`,
    `}`,
    ``
  ].join("\n"),
  printEnv: `#include <stdio.h>\n\nextern char **environ;\n\nint main() {\n  for (char **e = environ; *e != nullptr; e++) puts(*e);\n  return 0;\n}\n`,
  daemon: [
    `#include <stdio.h>`,
    `#include <sys/wait.h>`,
    `#include <unistd.h>`,
    ``,
    `int main() {`,
    `  pid_t pid = fork();`,
    `  if (pid == 0) {`,
    `    setsid();`,
    `    if (fork() == 0) sleep(3600);`,
    `    _exit(0);`,
    `  }`,
    `  waitpid(pid, nullptr, 0);`,
    `  puts("started");`,
    `  return 0;`,
    `}`,
    ``
  ].join("\n"),
  leaveFiles: [
    `#include <stdio.h>`,
    `#include <unistd.h>`,
    ``,
    `int main() {`,
    `  int found = access("/tmp/codebox-marker", F_OK) == 0 || access("codebox-marker", F_OK) == 0;`,
    `  puts(found ? "leftover" : "fresh");`,
    `  FILE *a = fopen("/tmp/codebox-marker", "w");`,
    `  if (a != nullptr) fclose(a);`,
    `  FILE *b = fopen("codebox-marker", "w");`,
    `  if (b != nullptr) fclose(b);`,
    `  return 0;`,
    `}`,
    ``
  ].join("\n"),
  // The address comes from atoi so the compiler cannot see the null and turn the store into a trap.
  segfault: `#include <stdlib.h>\n\nint main() {\n  volatile int *p = (int *)(long)atoi("0");\n  *p = 1;\n  return 0;\n}\n`,
  deepRecursion: [
    `#include <stdio.h>`,
    ``,
    `static int depth(int n) {`,
    `  volatile char pad[256];`,
    `  pad[0] = (char)n;`,
    `  return depth(n + 1) + pad[0];`,
    `}`,
    ``,
    `int main() {`,
    `  printf("%d\\n", depth(0));`,
    `  return 0;`,
    `}`,
    ``
  ].join("\n"),
  printArgs: `#include <stdio.h>\n\nint main(int argc, char **argv) {\n  for (int i = 1; i < argc; i++) puts(argv[i]);\n  return 0;\n}\n`,
  binaryOutput: [
    `#include <stdio.h>`,
    ``,
    `int main() {`,
    `  for (int i = 0; i < 256; i++) putchar(i);`,
    `  fputs("A", stderr);`,
    `  fputc(0, stderr);`,
    `  fputs("B\\n", stderr);`,
    `  return 0;`,
    `}`,
    ``
  ].join("\n"),
  includeHostFile: `#include "/etc/shadow"\n\nint main() {\n  return 0;\n}\n`,
  // Ten to the eighth statements after preprocessing: the compiler runs out of memory or time.
  hugeCompile: [
    `#define A(x) x x x x x x x x x x`,
    `#define B(x) A(A(A(A(A(A(A(A(x))))))))`,
    ``,
    `int main() {`,
    `  volatile int n = 0;`,
    `  B(n++;)`,
    `  return n;`,
    `}`,
    ``
  ].join("\n"),
  ...hostileSyscalls
}
