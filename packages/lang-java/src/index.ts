import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, type Limits, quoteJson, standardLimits, standardMaxima } from "@codebox/core"

/**
 * The JVM's own log goes to stdout by default, where its warnings (a thread that could not be
 * started, ...) would mix with the program's output and count against its limit: only errors, on
 * stderr.
 */
const jvmLog = ["-Xlog:disable", "-Xlog:all=error:stderr"]

/**
 * The JVM's own threads (VM, reference handler, finalizer, signal dispatcher, service, compiler,
 * cleaner, ...) count against the process limit like the program's: with the serial collector and
 * only the C1 compiler a JVM starts about 15, javac about 20.
 */
const jvmFlags = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto", ...jvmLog]

/**
 * The heap's ceiling, from the step's memory limit: twice the limit, so that the heap never fills
 * before the sandbox's limit is reached. A program that keeps allocating is then stopped by the
 * sandbox (the `memory_limit` verdict), not by the JVM (an OutOfMemoryError, a `runtime_error`);
 * with the heap at the limit or below it, the old generation would fill first.
 */
export const heapMegabytes = (limits: Limits | undefined): number => 2 * (limits ?? javaLimits).memory_mb

/** The standard limits with room for the JVM's threads. */
export const javaLimits: Limits = { ...standardLimits, processes: 128 }

/** Java 17 (Debian's OpenJDK): `public class Main` in Main.java, compiled with javac, run on the JVM. */
export const java: LanguagePlugin = {
  id: "java",
  aliases: [],
  displayName: "Java (OpenJDK 17)",
  versionProbe: ["/usr/bin/java", "-Xshare:auto", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-version"],
  sourceFile: "Main.java",
  compile: {
    // The classes go next to the source: srcDir is writable only during this step.
    argv: ({ sourcePath, srcDir }) => [
      "/usr/bin/javac",
      ...jvmFlags.map((flag) => `-J${flag}`),
      "-J-Xmx256m",
      "-encoding",
      "UTF-8",
      "-d",
      srcDir,
      sourcePath
    ],
    // javac is a Java program itself: a JVM with its threads, a few hundred MB, a second or two.
    limits: { wall_time_ms: 30_000, cpu_time_ms: 20_000, memory_mb: 512, processes: 64 }
  },
  run: {
    argv: ({ srcDir, limits }) => ["/usr/bin/java", ...jvmFlags, `-Xmx${heapMegabytes(limits)}m`, "-cp", srcDir, "Main"]
  },
  defaultLimits: javaLimits,
  maxLimits: standardMaxima,
  quote: quoteJson,
  syntax: {
    lineComments: ["//"],
    blockComments: [["/*", "*/"]],
    // Text blocks first: `"""` is longer than `"`.
    strings: ['"""', '"', "'"]
  },
  runtime: {
    image: "codebox/java:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    // The JDK's configuration (java.security, the module and logging settings): its conf/ links there.
    nativePaths: ["/etc/java-17-openjdk"],
    env: {},
    debianPackages: ["openjdk-17-jdk-headless"]
  },
  hostile,
  samples: {
    hello: `public class Main {\n    public static void main(String[] args) {\n        System.out.println("hello");\n    }\n}\n`,
    echoUpper: [
      `import java.nio.charset.StandardCharsets;`,
      `import java.util.Locale;`,
      ``,
      `public class Main {`,
      `    public static void main(String[] args) throws Exception {`,
      `        String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);`,
      `        System.out.print(text.toUpperCase(Locale.ROOT));`,
      `        System.out.flush();`,
      `    }`,
      `}`,
      ``
    ].join("\n"),
    copyInput: [
      `import java.nio.file.Files;`,
      `import java.nio.file.Path;`,
      ``,
      `public class Main {`,
      `    public static void main(String[] args) throws Exception {`,
      `        byte[] data = Files.readAllBytes(Path.of(IN_1));`,
      `        Files.write(Path.of(OUT_copy.txt), data);`,
      `        System.out.println(data.length);`,
      `    }`,
      `}`,
      ``
    ].join("\n"),
    exitThree: `public class Main {\n    public static void main(String[] args) {\n        System.exit(3);\n    }\n}\n`,
    memoryHog: [
      `import java.util.ArrayList;`,
      `import java.util.Arrays;`,
      `import java.util.List;`,
      ``,
      `public class Main {`,
      `    public static void main(String[] args) {`,
      `        List<byte[]> chunks = new ArrayList<>();`,
      `        for (;;) {`,
      `            byte[] chunk = new byte[10 * 1024 * 1024];`,
      `            Arrays.fill(chunk, (byte) 1);`,
      `            chunks.add(chunk);`,
      `        }`,
      `    }`,
      `}`,
      ``
    ].join("\n"),
    busyLoop: [
      `public class Main {`,
      `    static volatile long n;`,
      ``,
      `    public static void main(String[] args) {`,
      `        for (;;) n++;`,
      `    }`,
      `}`,
      ``
    ].join("\n"),
    // Java has no string interpolation: code, a plain string, and a multi-dot extension.
    placeholders: [
      `import java.nio.file.Files;`,
      `import java.nio.file.Path;`,
      `import java.nio.file.StandardCopyOption;`,
      ``,
      `public class Main {`,
      `    public static void main(String[] args) throws Exception {`,
      `        System.out.println("code " + IN_1);`,
      `        System.out.println("string IN_1");`,
      `        Files.copy(Path.of(IN_1), Path.of(OUT_result.tar.gz), StandardCopyOption.REPLACE_EXISTING);`,
      `        Files.copy(Path.of(IN_1), Path.of("OUT_data.json"), StandardCopyOption.REPLACE_EXISTING);`,
      `    }`,
      `}`,
      ``
    ].join("\n")
  }
}

export default java
