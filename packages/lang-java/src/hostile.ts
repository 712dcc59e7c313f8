import type { HostilePrograms } from "@codebox/core"

/** A class Main with these imports and this body of `main`. */
const program = (imports: ReadonlyArray<string>, body: ReadonlyArray<string>) =>
  [
    ...imports.map((i) => `import ${i};`),
    ...(imports.length > 0 ? [``] : []),
    `public class Main {`,
    `    public static void main(String[] args) throws Exception {`,
    ...body.map((line) => `        ${line}`),
    `    }`,
    `}`,
    ``
  ].join("\n")

const fill = (dir: string) =>
  program(
    ["java.io.FileOutputStream", "java.io.IOException", "java.util.Arrays"],
    [
      `byte[] chunk = new byte[1024 * 1024];`,
      `Arrays.fill(chunk, (byte) 'x');`,
      `int n = 0;`,
      `for (;; n++) {`,
      `    try (FileOutputStream out = new FileOutputStream("${dir}fill-" + n)) {`,
      `        out.write(chunk);`,
      `    } catch (IOException e) {`,
      `        break;`,
      `    }`,
      `}`,
      `System.out.println("full " + n);`
    ]
  )

// Straight to the descriptor: System.out and System.err buffer and swallow write errors.
const flood = (descriptor: string) =>
  program(
    ["java.io.FileDescriptor", "java.io.FileOutputStream", "java.util.Arrays"],
    [
      `byte[] line = new byte[4096];`,
      `Arrays.fill(line, (byte) 'x');`,
      `FileOutputStream out = new FileOutputStream(FileDescriptor.${descriptor});`,
      `for (;;) out.write(line);`
    ]
  )

/**
 * Attacks on the sandbox written in Java (see HostilePrograms). Java cannot fork: its process
 * bomb starts `sleep` processes without end. It has no way to fault (the JVM turns a SIGSEGV into
 * its own crash report and an abort) and no raw system calls, and the JVM holds descriptors of its
 * own (its modules and class data archive).
 */
export const hostile: HostilePrograms = {
  forkBomb: program(
    [],
    [
      `for (;;) {`,
      `    try {`,
      `        new ProcessBuilder("/usr/bin/sleep", "3600").start();`,
      // An Error too: at the pids limit the JVM cannot start the reaper thread of a new process.
      `    } catch (Throwable e) {`,
      `    }`,
      `}`
    ]
  ),
  threadBomb: program(
    [],
    [
      `for (;;) {`,
      `    try {`,
      `        Thread thread = new Thread(() -> {`,
      `            try {`,
      `                Thread.sleep(3_600_000);`,
      `            } catch (InterruptedException e) {`,
      `            }`,
      `        });`,
      `        thread.setDaemon(true);`,
      `        thread.start();`,
      `    } catch (Throwable e) {`,
      `    }`,
      `}`
    ]
  ),
  sleeper: program([], [`Thread.sleep(3_600_000);`]),
  stdoutFlood: flood("out"),
  stderrFlood: flood("err"),
  fillDisk: fill(""),
  fillTmp: fill("/tmp/"),
  connect: program(
    ["java.net.InetSocketAddress", "java.net.Socket"],
    [
      `try (Socket socket = new Socket()) {`,
      `    socket.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 3000);`,
      `    System.out.println("connected");`,
      `} catch (Exception e) {`,
      `    System.out.println("blocked");`,
      `}`
    ]
  ),
  readFile: program(
    ["java.nio.file.Files", "java.nio.file.Path"],
    [
      `byte[] data;`,
      `try {`,
      `    data = Files.readAllBytes(Path.of(args[0]));`,
      `} catch (Exception e) {`,
      `    System.out.println("denied");`,
      `    return;`,
      `}`,
      `System.out.write(data);`,
      `System.out.flush();`
    ]
  ),
  printEnv: program(
    ["java.util.Map"],
    [`for (Map.Entry<String, String> e : System.getenv().entrySet()) System.out.println(e.getKey() + "=" + e.getValue());`]
  ),
  // The sleeper gets a session of its own and outlives the JVM, which exits at once.
  daemon: program(
    ["java.io.File"],
    [
      `new ProcessBuilder("/usr/bin/setsid", "/usr/bin/sleep", "3600")`,
      `    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))`,
      `    .redirectOutput(ProcessBuilder.Redirect.DISCARD)`,
      `    .redirectError(ProcessBuilder.Redirect.DISCARD)`,
      `    .start();`,
      `System.out.println("started");`,
      `System.exit(0);`
    ]
  ),
  leaveFiles: program(
    ["java.nio.file.Files", "java.nio.file.Path"],
    [
      `Path tmp = Path.of("/tmp/codebox-marker");`,
      `Path here = Path.of("codebox-marker");`,
      `System.out.println(Files.exists(tmp) || Files.exists(here) ? "leftover" : "fresh");`,
      `for (Path path : new Path[] {tmp, here}) {`,
      `    try {`,
      `        Files.write(path, new byte[] {'x'});`,
      `    } catch (Exception e) {`,
      `    }`,
      `}`
    ]
  ),
  // A StackOverflowError, uncaught: the JVM exits with 1.
  deepRecursion: [
    `public class Main {`,
    `    static long depth(long n) {`,
    `        return depth(n + 1) + 1;`,
    `    }`,
    ``,
    `    public static void main(String[] args) {`,
    `        System.out.println(depth(0));`,
    `    }`,
    `}`,
    ``
  ].join("\n"),
  printArgs: program([], [`for (String arg : args) System.out.println(arg);`]),
  binaryOutput: program(
    [],
    [
      `byte[] bytes = new byte[256];`,
      `for (int i = 0; i < 256; i++) bytes[i] = (byte) i;`,
      `System.out.write(bytes);`,
      `System.out.flush();`,
      `System.err.write(new byte[] {'A', 0, 'B', '\\n'});`,
      `System.err.flush();`
    ]
  )
}
