import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, quoteJson, standardLimits, standardMaxima } from "@codebox/core"

/** C (GNU C17 with gcc), compiled with -O2 and linked with libm. */
export const c: LanguagePlugin = {
  id: "c",
  aliases: ["gcc"],
  displayName: "C (gcc)",
  versionProbe: ["/usr/bin/gcc", "--version"],
  sourceFile: "main.c",
  compile: {
    // The binary goes next to the source: srcDir is writable only during this step.
    argv: ({ sourcePath, srcDir }) => ["/usr/bin/gcc", "-O2", "-std=gnu17", "-o", `${srcDir}/main`, sourcePath, "-lm"],
    // gcc runs cc1, as, collect2 and ld as separate processes and needs more than a small program.
    limits: { wall_time_ms: 30_000, cpu_time_ms: 20_000, memory_mb: 512, processes: 64 }
  },
  run: {
    argv: ({ srcDir }) => [`${srcDir}/main`]
  },
  defaultLimits: standardLimits,
  maxLimits: standardMaxima,
  quote: quoteJson,
  syntax: {
    lineComments: ["//"],
    blockComments: [["/*", "*/"]],
    strings: ['"', "'"]
  },
  runtime: {
    image: "codebox/c:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    nativePaths: [],
    env: {},
    debianPackages: ["gcc", "libc6-dev"]
  },
  hostile,
  samples: {
    hello: `#include <stdio.h>\n\nint main(void) {\n  puts("hello");\n  return 0;\n}\n`,
    echoUpper: [
      `#include <ctype.h>`,
      `#include <stdio.h>`,
      ``,
      `int main(void) {`,
      `  int ch;`,
      `  while ((ch = getchar()) != EOF) putchar(toupper(ch));`,
      `  return 0;`,
      `}`,
      ``
    ].join("\n"),
    copyInput: [
      `#include <stdio.h>`,
      ``,
      `int main(void) {`,
      `  FILE *in = fopen(IN_1, "rb");`,
      `  FILE *out = fopen(OUT_copy.txt, "wb");`,
      `  if (in == NULL || out == NULL) {`,
      `    perror("fopen");`,
      `    return 1;`,
      `  }`,
      `  char buf[65536];`,
      `  size_t n;`,
      `  long total = 0;`,
      `  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {`,
      `    if (fwrite(buf, 1, n, out) != n) {`,
      `      perror("fwrite");`,
      `      return 1;`,
      `    }`,
      `    total += (long)n;`,
      `  }`,
      `  fclose(in);`,
      `  if (fclose(out) != 0) {`,
      `    perror("fclose");`,
      `    return 1;`,
      `  }`,
      `  printf("%ld\\n", total);`,
      `  return 0;`,
      `}`,
      ``
    ].join("\n"),
    exitThree: `int main(void) {\n  return 3;\n}\n`,
    // volatile stores, one per page, so -O2 cannot drop the allocations and every page is touched.
    memoryHog: [
      `#include <stdlib.h>`,
      ``,
      `int main(void) {`,
      `  const size_t size = 10u * 1024u * 1024u;`,
      `  for (;;) {`,
      `    volatile char *p = malloc(size);`,
      `    if (p == NULL) return 1;`,
      `    for (size_t i = 0; i < size; i += 4096) p[i] = 1;`,
      `  }`,
      `}`,
      ``
    ].join("\n"),
    busyLoop: `int main(void) {\n  volatile unsigned long n = 0;\n  for (;;) n++;\n}\n`,
    // C has no string interpolation: code, a plain string, and a multi-dot extension.
    placeholders: [
      `#include <stdio.h>`,
      ``,
      `static int copy(const char *from, const char *to) {`,
      `  FILE *in = fopen(from, "rb");`,
      `  FILE *out = fopen(to, "wb");`,
      `  if (in == NULL || out == NULL) return 1;`,
      `  char buf[4096];`,
      `  size_t n;`,
      `  while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);`,
      `  fclose(in);`,
      `  return fclose(out) != 0;`,
      `}`,
      ``,
      `int main(void) {`,
      `  printf("code %s\\n", IN_1);`,
      `  puts("string IN_1");`,
      `  return copy(IN_1, OUT_result.tar.gz) || copy(IN_1, "OUT_data.json");`,
      `}`,
      ``
    ].join("\n")
  }
}

/** The raw system call, keyring and descriptor programs, plain C that C++ compiles too (the cpp plugin uses them). */
export { hostileSyscalls } from "./hostileSyscalls.ts"

export default c
