import { fileURLToPath } from "node:url"
import { type LanguagePlugin, quoteJson, standardLimits, standardMaxima } from "@codebox/core"
import { hostile } from "./hostile.js"

/**
 * Ruby for CodeBox. Everything CodeBox needs to offer the language lives here: how to run a
 * program, its limits, how a placeholder path is written, and the runtime (Debian's `ruby`,
 * installed by CodeBox's set-up on native hosts and built into `codebox/ruby:1` for Docker).
 */
export const ruby: LanguagePlugin = {
  id: "ruby",
  aliases: ["rb"],
  displayName: "Ruby",
  versionProbe: ["/usr/bin/ruby", "--version"],
  sourceFile: "main.rb",
  run: { argv: ({ sourcePath }) => ["/usr/bin/ruby", sourcePath] },
  defaultLimits: standardLimits,
  maxLimits: standardMaxima,
  // A JSON string is a valid double-quoted Ruby literal for the paths CodeBox makes (no `#{`).
  quote: quoteJson,
  syntax: {
    lineComments: ["#"],
    blockComments: [["=begin", "=end"]],
    strings: ['"', "'"],
    // "#{...}" is code inside a double-quoted string (single-quoted strings do not interpolate).
    interpolations: [{ string: '"', open: "#{", close: "}" }]
  },
  runtime: {
    image: "codebox/ruby:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    nativePaths: [],
    env: {},
    debianPackages: ["ruby"]
  },
  samples: {
    hello: `puts "hello"\n`,
    echoUpper: `$stdout.write($stdin.read.upcase)\n`,
    copyInput: `data = File.binread(IN_1)\nFile.binwrite(OUT_copy.txt, data)\nputs data.bytesize\n`,
    exitThree: `exit 3\n`,
    memoryHog: `chunks = []\nloop { chunks << ("\\x01" * (10 * 1024 * 1024)) }\n`,
    busyLoop: `n = 0\nloop { n += 1 }\n`,
    placeholders: [
      `puts "code " + IN_1`,
      `puts "string IN_1"`,
      `puts "interpolated #{IN_1}"`,
      `puts "nested #{"#{IN_1}"}"`,
      `data = File.binread(IN_1)`,
      `File.binwrite(OUT_result.tar.gz, data)`,
      `File.binwrite("#{'OUT_data.json'}", data)`,
      ``
    ].join("\n")
  },
  hostile
}

export default ruby
