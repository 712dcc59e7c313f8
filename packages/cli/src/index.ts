/**
 * `@codebox/cli`: the `codebox` command. The module exports the command runner for embedding and
 * tests; the binary is `dist/main.js`.
 */
export { main, help } from "./commands.ts"
export { CliError, exitCodes } from "./CliError.ts"
export { makeClient, type Client, type ClientSettings } from "./client.ts"
