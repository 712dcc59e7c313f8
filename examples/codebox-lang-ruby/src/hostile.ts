import type { HostilePrograms } from "@codebox/core"

const fill = (dir: string) =>
  [
    `n = 0`,
    `begin`,
    `  loop do`,
    `    File.binwrite("${dir}fill-#{n}", "\\x01" * (1024 * 1024))`,
    `    n += 1`,
    `  end`,
    `rescue SystemCallError, IOError`,
    `  puts "full #{n}"`,
    `end`,
    ``
  ].join("\n")

/** Attacks on the sandbox written in Ruby, for CodeBox's hostile suite (each must do what HostilePrograms says). */
export const hostile: HostilePrograms = {
  forkBomb: `loop do\n  begin\n    fork\n  rescue StandardError\n  end\nend\n`,
  threadBomb: `loop do\n  begin\n    Thread.new { sleep 3600 }\n  rescue StandardError\n  end\nend\n`,
  sleeper: `sleep 3600\n`,
  stdoutFlood: `loop { $stdout.write("x" * 4096) }\n`,
  stderrFlood: `loop { $stderr.write("x" * 4096) }\n`,
  fillDisk: fill(""),
  fillTmp: fill("/tmp/"),
  connect: [
    `require "socket"`,
    `begin`,
    `  Socket.tcp(ARGV[0], Integer(ARGV[1]), connect_timeout: 3).close`,
    `  puts "connected"`,
    `rescue StandardError`,
    `  puts "blocked"`,
    `end`,
    ``
  ].join("\n"),
  readFile: [
    `begin`,
    `  print File.binread(ARGV[0]).force_encoding("UTF-8").scrub`,
    `rescue SystemCallError, IOError`,
    `  puts "denied"`,
    `end`,
    ``
  ].join("\n"),
  printEnv: `ENV.each { |name, value| puts "#{name}=#{value}" }\n`,
  daemon: [
    `pid = fork do`,
    `  Process.setsid`,
    `  fork { sleep 3600 }`,
    `  exit!(0)`,
    `end`,
    `Process.wait(pid)`,
    `puts "started"`,
    ``
  ].join("\n"),
  leaveFiles: [
    `found = File.exist?("/tmp/codebox-marker") || File.exist?("codebox-marker")`,
    `puts(found ? "leftover" : "fresh")`,
    `["/tmp/codebox-marker", "codebox-marker"].each { |path| File.write(path, "x") }`,
    ``
  ].join("\n"),
  deepRecursion: `def f(n)\n  f(n + 1) + 1\nend\n\nf(0)\n`,
  printArgs: `ARGV.each { |arg| puts arg }\n`
}
