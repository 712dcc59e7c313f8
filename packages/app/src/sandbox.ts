import { Config, Effect, Layer } from "effect"
import { InvalidSetting, Sandbox, SandboxError } from "@codebox/core"
import { NativeSandbox } from "@codebox/sandbox-native"

export type SandboxKind = "native" | "docker"

/** CODEBOX_SANDBOX (default native): `native` (bubblewrap + cgroups) or `docker`. */
export const sandboxKindConfig: Config.Config<SandboxKind> = Config.Literals(["native", "docker"], "CODEBOX_SANDBOX").pipe(
  Config.withDefault("native" as const)
)

export const readSandboxKind = sandboxKindConfig.pipe(
  Effect.mapError((e) => new InvalidSetting({ setting: "CODEBOX_SANDBOX", message: e.message }))
)

/** The sandbox of that kind; Docker's client is loaded only when asked for. */
export const layerSandbox = (kind: SandboxKind): Layer.Layer<Sandbox, SandboxError> =>
  kind === "native"
    ? NativeSandbox.layer()
    : Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("@codebox/sandbox-docker")),
          (docker) => docker.DockerSandbox.layer()
        )
      )

/**
 * The sandbox of a process that runs no user code (a server with RabbitMQ, whose workers run the
 * tasks): nothing to set up, so an API-only server needs neither bubblewrap nor the seccomp filter
 * nor a Docker socket. Its check passes; a step handed to it fails.
 */
export const layerNoSandbox: Layer.Layer<Sandbox> = Layer.succeed(Sandbox)({
  name: "none",
  run: () => Effect.fail(new SandboxError({ message: "this process runs no user code (its workers do)" })),
  check: Effect.void
})
