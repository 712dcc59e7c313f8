import { Config, Effect, Layer } from "effect"
import { type SandboxError, type Sandbox, InvalidSetting } from "@codebox/core"
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
