import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, quoteJson, standardLimits, standardMaxima } from "@codebox/core"

/** C++ (ISO C++17 with g++), compiled with -O2. */
export const cpp: LanguagePlugin = {
  id: "cpp",
  aliases: ["c++", "g++"],
  displayName: "C++ (g++)",
  versionProbe: ["/usr/bin/g++", "--version"],
  sourceFile: "main.cpp",
  compile: {
    // The binary goes next to the source: srcDir is writable only during this step.
    argv: ({ sourcePath, srcDir }) => ["/usr/bin/g++", "-O2", "-std=c++17", "-o", `${srcDir}/main`, sourcePath],
    // g++ runs cc1plus, as, collect2 and ld as separate processes; cc1plus on <iostream> and <bits/stdc++.h>
    // needs more time and memory than a small C program.
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
    image: "codebox/cpp:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    nativePaths: [],
    env: {},
    debianPackages: ["g++", "libc6-dev"]
  },
  hostile,
  samples: {
    hello: `#include <iostream>\n\nint main() {\n  std::cout << "hello" << std::endl;\n  return 0;\n}\n`,
    echoUpper: [
      `#include <cctype>`,
      `#include <iostream>`,
      `#include <iterator>`,
      `#include <string>`,
      ``,
      `int main() {`,
      `  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());`,
      `  for (char &ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));`,
      `  std::cout << text;`,
      `  return 0;`,
      `}`,
      ``
    ].join("\n"),
    copyInput: [
      `#include <fstream>`,
      `#include <iostream>`,
      `#include <iterator>`,
      `#include <vector>`,
      ``,
      `int main() {`,
      `  std::ifstream in(IN_1, std::ios::binary);`,
      `  if (!in) {`,
      `    std::cerr << "cannot open the input" << std::endl;`,
      `    return 1;`,
      `  }`,
      `  std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());`,
      `  std::ofstream out(OUT_copy.txt, std::ios::binary);`,
      `  out.write(data.data(), static_cast<std::streamsize>(data.size()));`,
      `  out.close();`,
      `  if (!out) {`,
      `    std::cerr << "cannot write the output" << std::endl;`,
      `    return 1;`,
      `  }`,
      `  std::cout << data.size() << std::endl;`,
      `  return 0;`,
      `}`,
      ``
    ].join("\n"),
    exitThree: `int main() {\n  return 3;\n}\n`,
    // Every page written through a volatile pointer, so -O2 cannot drop the allocations.
    memoryHog: [
      `#include <cstddef>`,
      `#include <vector>`,
      ``,
      `int main() {`,
      `  const std::size_t size = 10u * 1024u * 1024u;`,
      `  std::vector<char *> blocks;`,
      `  for (;;) {`,
      `    volatile char *p = new char[size];`,
      `    for (std::size_t i = 0; i < size; i += 4096) p[i] = 1;`,
      `    blocks.push_back(const_cast<char *>(p));`,
      `  }`,
      `}`,
      ``
    ].join("\n"),
    busyLoop: `int main() {\n  volatile unsigned long n = 0;\n  for (;;) n++;\n}\n`,
    // C++ has no string interpolation: code, a plain string, and a multi-dot extension.
    placeholders: [
      `#include <fstream>`,
      `#include <iostream>`,
      ``,
      `static bool copy(const char *from, const char *to) {`,
      `  std::ifstream in(from, std::ios::binary);`,
      `  std::ofstream out(to, std::ios::binary);`,
      `  out << in.rdbuf();`,
      `  out.close();`,
      `  return in.good() && out.good();`,
      `}`,
      ``,
      `int main() {`,
      `  std::cout << "code " << IN_1 << "\\n";`,
      `  std::cout << "string IN_1\\n";`,
      `  return copy(IN_1, OUT_result.tar.gz) && copy(IN_1, "OUT_data.json") ? 0 : 1;`,
      `}`,
      ``
    ].join("\n")
  }
}

export default cpp
