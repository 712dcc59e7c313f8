import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, quoteJson, standardLimits, standardMaxima } from "@codebox/core"

/** Bash 5 scripts, with the coreutils every Debian system has (cp, head, tr, sort, ...). */
export const bash: LanguagePlugin = {
  id: "bash",
  aliases: ["sh"],
  displayName: "Bash",
  versionProbe: ["/usr/bin/bash", "--version"],
  sourceFile: "main.sh",
  run: {
    argv: ({ sourcePath }) => ["/usr/bin/bash", sourcePath]
  },
  // Every external command is a process: the standard 100 leave room for pipelines.
  defaultLimits: standardLimits,
  maxLimits: standardMaxima,
  // A double-quoted word: the paths CodeBox makes hold nothing bash expands.
  quote: quoteJson,
  syntax: {
    lineComments: ["#"],
    blockComments: [],
    strings: ['"', "'"],
    // Command substitution inside a double-quoted word is code: "$(cat IN_1)".
    interpolations: [{ string: '"', open: "$(", close: ")" }]
  },
  runtime: {
    image: "codebox/bash:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    nativePaths: [],
    env: {},
    debianPackages: ["bash", "coreutils"]
  },
  hostile,
  samples: {
    hello: `echo hello\n`,
    echoUpper: `tr '[:lower:]' '[:upper:]'\n`,
    copyInput: [`cp IN_1 OUT_copy.txt || exit 1`, `wc -c < OUT_copy.txt`, ``].join("\n"),
    exitThree: `exit 3\n`,
    // A string that doubles until the memory limit stops it; every byte of it is written.
    memoryHog: `s=xxxxxxxxxxxxxxxx\nwhile :; do s="$s$s"; done\n`,
    busyLoop: `n=0\nwhile :; do n=$((n + 1)); done\n`,
    placeholders: [
      `echo code IN_1`,
      `echo "string IN_1"`,
      `echo "interpolated $(printf %s IN_1)"`,
      `echo "nested $(printf %s "$(printf %s IN_1)")"`,
      `cp IN_1 OUT_result.tar.gz`,
      `cp IN_1 "$(printf %s "OUT_data.json")"`,
      ``
    ].join("\n")
  }
}

export default bash
