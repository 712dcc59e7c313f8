import type { HostilePrograms } from "@codebox/core"

const fill = (dir: string) =>
  [
    `local chunk = string.rep("x", 1024 * 1024)`,
    `local n = 0`,
    `while true do`,
    `  local f = io.open("${dir}fill-" .. n, "wb")`,
    `  if not f then break end`,
    `  local written = f:write(chunk)`,
    `  local closed = f:close()`,
    `  if not written or not closed then break end`,
    `  n = n + 1`,
    `end`,
    `print("full " .. n)`,
    ``
  ].join("\n")

const flood = (stream: string) => `local line = string.rep("x", 4096)\nwhile true do\n  ${stream}:write(line)\nend\n`

/**
 * Attacks on the sandbox written in Lua (see HostilePrograms). Lua's standard library has no
 * threads, no sockets, no way to fault and no system calls; it starts processes only through
 * `io.popen` and `os.execute` (both run /bin/sh), which is how its fork bomb and daemon are made.
 */
export const hostile: HostilePrograms = {
  // The handles are kept: a collected one would be closed, which waits for its child.
  forkBomb: `local children = {}\nwhile true do\n  children[#children + 1] = io.popen("sleep 3600")\nend\n`,
  sleeper: `os.execute("sleep 3600")\n`,
  stdoutFlood: flood("io.stdout"),
  stderrFlood: flood("io.stderr"),
  fillDisk: fill(""),
  fillTmp: fill("/tmp/"),
  readFile: [
    `local f = arg[1] and io.open(arg[1], "rb")`,
    `local data = f and f:read("a")`,
    `if data then io.write(data) else print("denied") end`,
    ``
  ].join("\n"),
  // The interpreter's own environment, as the kernel holds it.
  printEnv: `local f = assert(io.open("/proc/self/environ", "rb"))\nfor entry in f:read("a"):gmatch("[^\\0]+") do print(entry) end\n`,
  daemon: `os.execute("setsid sleep 3600 </dev/null >/dev/null 2>&1 &")\nprint("started")\n`,
  leaveFiles: [
    `local function exists(path)`,
    `  local f = io.open(path, "r")`,
    `  if f then f:close() end`,
    `  return f ~= nil`,
    `end`,
    `print((exists("/tmp/codebox-marker") or exists("codebox-marker")) and "leftover" or "fresh")`,
    `for _, path in ipairs({ "/tmp/codebox-marker", "codebox-marker" }) do`,
    `  local f = io.open(path, "w")`,
    `  if f then f:close() end`,
    `end`,
    ``
  ].join("\n"),
  // Not a tail call: the Lua stack grows until the interpreter's "stack overflow" error.
  deepRecursion: `local function f(n)\n  return 1 + f(n + 1)\nend\nprint(f(0))\n`,
  printArgs: `for i = 1, #arg do\n  print(arg[i])\nend\n`,
  binaryOutput: [
    `local bytes = {}`,
    `for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end`,
    `io.stdout:write(table.concat(bytes))`,
    `io.stderr:write("A\\0B\\n")`,
    ``
  ].join("\n")
}
