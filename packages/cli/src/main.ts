#!/usr/bin/env node
import { main } from "./commands.ts"

// The exit code waits for stdout and stderr to drain: a piped consumer gets every byte.
const code = await main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr })
process.exitCode = code
