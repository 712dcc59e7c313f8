import type { LanguagePlugin } from "@codebox/core"
import { c } from "@codebox/lang-c"
import { javascript } from "@codebox/lang-javascript"
import { php } from "@codebox/lang-php"
import { java } from "@codebox/lang-java"
import { typescript } from "@codebox/lang-typescript"
import { lua } from "@codebox/lang-lua"
import { perl } from "@codebox/lang-perl"
import { bash } from "@codebox/lang-bash"
import { cpp } from "@codebox/lang-cpp"
import { python } from "@codebox/lang-python"

/** The built-in languages, for tests (the server itself loads what CODEBOX_PLUGINS names). */
export const builtInLanguages: ReadonlyArray<LanguagePlugin> = [python, c, javascript, php, cpp, bash, lua, perl, typescript, java]
