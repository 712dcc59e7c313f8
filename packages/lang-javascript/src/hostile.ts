import type { HostilePrograms } from "@codebox/core"

const fill = (dir: string) =>
  [
    `const fs = require("node:fs")`,
    `const chunk = Buffer.alloc(1024 * 1024, 1)`,
    `let n = 0`,
    `try {`,
    `  for (; ; n++) fs.writeFileSync(\`${dir}fill-\${n}\`, chunk)`,
    `} catch {`,
    `  console.log(\`full \${n}\`)`,
    `}`,
    ``
  ].join("\n")

// Synchronous writes: process.stdout on a pipe is asynchronous and would only fill memory.
const flood = (fd: number) =>
  `const fs = require("node:fs")\nconst line = "x".repeat(4096)\nfor (;;) {\n  try {\n    fs.writeSync(${fd}, line)\n  } catch {}\n}\n`

/** Attacks on the sandbox written in JavaScript for Node.js (see HostilePrograms). */
export const hostile: HostilePrograms = {
  // Node cannot fork(); every child starts this same program again.
  forkBomb: [
    `const { spawn } = require("node:child_process")`,
    `const again = () => {`,
    `  try {`,
    `    spawn(process.execPath, [__filename], { stdio: "ignore" }).on("error", () => {})`,
    `  } catch {}`,
    `  setImmediate(again)`,
    `}`,
    `again()`,
    ``
  ].join("\n"),
  threadBomb: [
    `const { Worker } = require("node:worker_threads")`,
    `const again = () => {`,
    `  try {`,
    `    new Worker("setTimeout(() => {}, 3600000)", { eval: true }).on("error", () => {})`,
    `  } catch {}`,
    `  setImmediate(again)`,
    `}`,
    `again()`,
    ``
  ].join("\n"),
  sleeper: `setTimeout(() => {}, 3600 * 1000)\n`,
  stdoutFlood: flood(1),
  stderrFlood: flood(2),
  fillDisk: fill(""),
  fillTmp: fill("/tmp/"),
  connect: [
    `const net = require("node:net")`,
    `const socket = net.connect({ host: process.argv[2], port: Number(process.argv[3]) })`,
    `socket.setTimeout(3000, () => {`,
    `  console.log("blocked")`,
    `  socket.destroy()`,
    `})`,
    `socket.on("connect", () => {`,
    `  console.log("connected")`,
    `  socket.destroy()`,
    `})`,
    `socket.on("error", () => console.log("blocked"))`,
    ``
  ].join("\n"),
  readFile: [
    `const fs = require("node:fs")`,
    `try {`,
    `  process.stdout.write(fs.readFileSync(process.argv[2], "utf8"))`,
    `} catch {`,
    `  console.log("denied")`,
    `}`,
    ``
  ].join("\n"),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source for the sandbox, not a template here
  printEnv: "for (const [name, value] of Object.entries(process.env)) console.log(`${name}=${value}`)\n",
  // A detached shell that backgrounds a sleeper and exits: the sleeper is orphaned, in its own session.
  daemon: [
    `const { spawn } = require("node:child_process")`,
    `spawn("/bin/sh", ["-c", "sleep 3600 &"], { detached: true, stdio: "ignore" }).unref()`,
    `console.log("started")`,
    ``
  ].join("\n"),
  leaveFiles: [
    `const fs = require("node:fs")`,
    `const found = fs.existsSync("/tmp/codebox-marker") || fs.existsSync("codebox-marker")`,
    `console.log(found ? "leftover" : "fresh")`,
    `fs.writeFileSync("/tmp/codebox-marker", "x")`,
    `fs.writeFileSync("codebox-marker", "x")`,
    ``
  ].join("\n"),
  segfault: `process.kill(process.pid, "SIGSEGV")\n`,
  deepRecursion: `const f = (n) => f(n + 1) + 1\nf(0)\n`,
  printArgs: `for (const arg of process.argv.slice(2)) console.log(arg)\n`,
  binaryOutput: [
    `process.stdout.write(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))`,
    `process.stderr.write(Buffer.from([0x41, 0x00, 0x42, 0x0a]))`,
    ``
  ].join("\n")
}
