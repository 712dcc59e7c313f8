import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, quoteJson, standardLimits, standardMaxima } from "@codebox/core"

/** Lua 5.4 (Debian's reference interpreter) with its standard libraries. */
export const lua: LanguagePlugin = {
  id: "lua",
  aliases: [],
  displayName: "Lua 5.4",
  versionProbe: ["/usr/bin/lua5.4", "-v"],
  sourceFile: "main.lua",
  run: {
    argv: ({ sourcePath }) => ["/usr/bin/lua5.4", sourcePath]
  },
  defaultLimits: standardLimits,
  maxLimits: standardMaxima,
  quote: quoteJson,
  syntax: {
    lineComments: ["--"],
    // Block comments are tried before line comments, so `--[[` opens one.
    blockComments: [
      ["--[[", "]]"],
      ["--[=[", "]=]"]
    ],
    strings: ['"', "'"]
  },
  runtime: {
    image: "codebox/lua:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    nativePaths: [],
    env: {},
    debianPackages: ["lua5.4"]
  },
  hostile,
  samples: {
    hello: `print("hello")\n`,
    echoUpper: `io.write((io.read("a") or ""):upper())\n`,
    copyInput: [
      `local input = assert(io.open(IN_1, "rb"))`,
      `local data = input:read("a")`,
      `input:close()`,
      `local output = assert(io.open(OUT_copy.txt, "wb"))`,
      `assert(output:write(data))`,
      `assert(output:close())`,
      `print(#data)`,
      ``
    ].join("\n"),
    exitThree: `os.exit(3)\n`,
    // string.rep writes every byte of each new 10 MiB string; long strings are never shared.
    memoryHog: `local chunks = {}\nwhile true do\n  chunks[#chunks + 1] = string.rep("x", 10 * 1024 * 1024)\nend\n`,
    busyLoop: `local n = 0\nwhile true do\n  n = n + 1\nend\n`,
    // Lua has no string interpolation: code, a plain string, and a multi-dot extension.
    placeholders: [
      `local function copy(from, to)`,
      `  local input = assert(io.open(from, "rb"))`,
      `  local data = input:read("a")`,
      `  input:close()`,
      `  local output = assert(io.open(to, "wb"))`,
      `  assert(output:write(data))`,
      `  assert(output:close())`,
      `end`,
      ``,
      `print("code " .. IN_1)`,
      `print("string IN_1")`,
      `copy(IN_1, OUT_result.tar.gz)`,
      `copy(IN_1, "OUT_data.json")`,
      ``
    ].join("\n")
  }
}

export default lua
