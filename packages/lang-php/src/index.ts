import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, standardLimits, standardMaxima } from "@codebox/core"

/** A PHP single-quoted literal: only `\` and `'` are special inside one. */
export const quotePhp = (path: string): string => `'${path.replace(/[\\']/g, "\\$&")}'`

/** PHP 8 CLI with the gd, mbstring, xml, zip and curl extensions. */
export const php: LanguagePlugin = {
  id: "php",
  aliases: [],
  displayName: "PHP",
  versionProbe: ["/usr/bin/php", "--version"],
  sourceFile: "main.php",
  run: {
    // Errors go to stderr, not into the program's stdout; log_errors off so they are not printed twice.
    argv: ({ sourcePath }) => ["/usr/bin/php", "-d", "display_errors=stderr", "-d", "log_errors=0", sourcePath]
  },
  defaultLimits: standardLimits,
  maxLimits: standardMaxima,
  quote: quotePhp,
  syntax: {
    lineComments: ["//", "#"],
    blockComments: [["/*", "*/"]],
    strings: ['"', "'"],
    // "{$...}" is code inside a double-quoted string; a bare IN_1 there (or in "$var") is text.
    interpolations: [{ string: '"', open: "{$", close: "}" }]
  },
  runtime: {
    image: "codebox/php:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    // php.ini and the conf.d files that enable the extensions live under /etc/php.
    nativePaths: ["/etc/php"],
    env: {},
    debianPackages: ["php-cli", "php-gd", "php-mbstring", "php-xml", "php-zip", "php-curl"],
    libraries: ["gd", "mbstring", "xml", "zip", "curl"]
  },
  hostile,
  samples: {
    hello: `<?php\necho "hello\\n";\n`,
    echoUpper: `<?php\necho strtoupper(stream_get_contents(STDIN));\n`,
    copyInput: [
      `<?php`,
      `$data = file_get_contents(IN_1);`,
      `if ($data === false || file_put_contents(OUT_copy.txt, $data) === false) {`,
      `    exit(1);`,
      `}`,
      `echo strlen($data), "\\n";`,
      ``
    ].join("\n"),
    exitThree: `<?php\nexit(3);\n`,
    // PHP's own memory_limit would stop this first with a fatal error; lift it so the sandbox's fires.
    memoryHog: [
      `<?php`,
      `ini_set('memory_limit', '-1');`,
      `$chunks = [];`,
      `while (true) {`,
      `    $chunks[] = str_repeat("x", 10 * 1024 * 1024);`,
      `}`,
      ``
    ].join("\n"),
    busyLoop: `<?php\n$n = 0;\nwhile (true) {\n    $n++;\n}\n`,
    // "{$...}" must start with a variable, so the interpolations call the identity function $id.
    placeholders: [
      `<?php`,
      `$id = fn($x) => $x;`,
      `echo "code ", IN_1, "\\n";`,
      `echo "string IN_1\\n";`,
      `echo "interpolated {$id(IN_1)}\\n";`,
      `echo "nested {$id("{$id(IN_1)}")}\\n";`,
      `$data = file_get_contents(IN_1);`,
      `file_put_contents(OUT_result.tar.gz, $data);`,
      `file_put_contents("{$id('OUT_data.json')}", $data);`,
      ``
    ].join("\n")
  }
}

export default php
