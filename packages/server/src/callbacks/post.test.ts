import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { emptyAllowList, parseAllowList } from "./callbackAddress.ts"
import { postCallback } from "./post.ts"

/** Receivers on 127.0.0.1 only; the allow list opens exactly that address. */
const loopbackOnly = parseAllowList(["127.0.0.1"]) as Exclude<ReturnType<typeof parseAllowList>, string>

let servers: Array<http.Server> = []
afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  servers = []
})

const listen = async (handler: http.RequestListener) => {
  const server = http.createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe("postCallback", () => {
  it("sends the body with the headers given and reports the status", async () => {
    let seen: { body: string; signature: unknown; type: unknown } | undefined
    const url = await listen((request, response) => {
      let body = ""
      request.on("data", (chunk: Buffer) => {
        body += chunk
      })
      request.on("end", () => {
        seen = { body, signature: request.headers["x-codebox-signature"], type: request.headers["content-type"] }
        response.writeHead(202).end()
      })
    })
    const outcome = await postCallback(`${url}/hook`, '{"a":"é"}', {
      allow: loopbackOnly,
      timeoutMs: 5000,
      headers: { "X-CodeBox-Signature": "t=1,v1=ab" }
    })
    expect(outcome).toEqual({ status: 202 })
    expect(seen).toEqual({ body: '{"a":"é"}', signature: "t=1,v1=ab", type: "application/json" })
  })

  it("does not follow a redirect: a 3xx is the answer", async () => {
    let redirected = false
    const target = await listen((_request, response) => {
      redirected = true
      response.writeHead(200).end()
    })
    const url = await listen((_request, response) => response.writeHead(307, { location: `${target}/elsewhere` }).end())
    expect(await postCallback(url, "{}", { allow: loopbackOnly, timeoutMs: 5000, headers: {} })).toEqual({ status: 307 })
    expect(redirected).toBe(false)
  })

  it("gives up on a receiver that does not answer within the timeout", async () => {
    const url = await listen(() => {
      // never answers
    })
    const outcome = await postCallback(url, "{}", { allow: loopbackOnly, timeoutMs: 300, headers: {} })
    expect(outcome).toEqual({ error: expect.stringContaining("no answer within 0.3 s") })
  })

  it("checks the address again: without the allow entry, loopback is refused before connecting", async () => {
    let reached = false
    const url = await listen((_request, response) => {
      reached = true
      response.writeHead(200).end()
    })
    const outcome = await postCallback(url, "{}", { allow: emptyAllowList, timeoutMs: 5000, headers: {} })
    expect(outcome).toEqual({ error: expect.stringMatching(/^refused: 127\.0\.0\.1 is a loopback address/) })
    expect(reached).toBe(false)
  })

  it("connects to the address it checked, without resolving the name a second time", async () => {
    const url = await listen((_request, response) => response.writeHead(204).end())
    const port = new URL(url).port
    // A name that resolves once to the allowed 127.0.0.1 and would then resolve to something else.
    let lookups = 0
    const lookup = async () => {
      lookups++
      return lookups === 1 ? [{ address: "127.0.0.1", family: 4 }] : [{ address: "10.0.0.1", family: 4 }]
    }
    const outcome = await postCallback(`http://hooks.example:${port}/`, "{}", { allow: loopbackOnly, timeoutMs: 5000, headers: {}, lookup })
    expect(outcome).toEqual({ status: 204 })
    expect(lookups).toBe(1)
  })
})
