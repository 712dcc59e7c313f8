import type { HostilePrograms } from "@codebox/core"

const fill = (dir: string) =>
  [
    `my $chunk = "x" x (1024 * 1024);`,
    `my $n = 0;`,
    `while (1) {`,
    `    open(my $f, ">", "${dir}fill-$n") or last;`,
    `    my $written = print $f $chunk;`,
    `    last unless close($f) && $written;`,
    `    $n++;`,
    `}`,
    `print "full $n\\n";`,
    ``
  ].join("\n")

const flood = (handle: string) => `$| = 1;\nmy $line = "x" x 4096;\nwhile (1) {\n    print ${handle}$line;\n}\n`

/** Attacks on the sandbox written in Perl (see HostilePrograms). */
export const hostile: HostilePrograms = {
  forkBomb: `while (1) {\n    fork;\n}\n`,
  // Debian's perl has ithreads: each thread is a clone of the interpreter. A failed creation
  // warns; the warnings are dropped so that the limit ends it, not the output cap.
  threadBomb: [
    `use threads;`,
    ``,
    `$SIG{__WARN__} = sub {};`,
    `while (1) {`,
    `    my $thread = eval { threads->create(sub { sleep 3600 }) };`,
    `    $thread->detach if $thread;`,
    `}`,
    ``
  ].join("\n"),
  sleeper: `sleep 3600;\n`,
  stdoutFlood: flood(""),
  stderrFlood: flood("STDERR "),
  fillDisk: fill(""),
  fillTmp: fill("/tmp/"),
  connect: [
    `use IO::Socket::IP;`,
    ``,
    `my $socket = IO::Socket::IP->new(PeerHost => $ARGV[0], PeerPort => $ARGV[1], Proto => "tcp", Timeout => 3);`,
    `print $socket ? "connected\\n" : "blocked\\n";`,
    ``
  ].join("\n"),
  readFile: [
    `my $data;`,
    `if (open(my $f, "<:raw", $ARGV[0] // "")) {`,
    `    local $/;`,
    `    $data = <$f>;`,
    `}`,
    `print defined $data ? $data : "denied\\n";`,
    ``
  ].join("\n"),
  printEnv: `print "$_=$ENV{$_}\\n" for sort keys %ENV;\n`,
  daemon: [
    `use POSIX ();`,
    ``,
    `my $pid = fork;`,
    `if ($pid == 0) {`,
    `    POSIX::setsid();`,
    `    sleep 3600 if fork == 0;`,
    `    POSIX::_exit(0);`,
    `}`,
    `waitpid($pid, 0);`,
    `print "started\\n";`,
    ``
  ].join("\n"),
  leaveFiles: [
    `print((-e "/tmp/codebox-marker" || -e "codebox-marker") ? "leftover\\n" : "fresh\\n");`,
    `for my $path ("/tmp/codebox-marker", "codebox-marker") {`,
    `    open(my $f, ">", $path) and close($f);`,
    `}`,
    ``
  ].join("\n"),
  // unpack "p" reads a C string at the address packed before it: address 8 faults.
  segfault: `print unpack("p", pack("J", 8));\n`,
  // Perl's calls live on the heap: the recursion grows until the memory limit.
  deepRecursion: `no warnings "recursion";\n\nsub f { return 1 + f($_[0] + 1) }\nprint f(0), "\\n";\n`,
  printArgs: `print "$_\\n" for @ARGV;\n`,
  binaryOutput: `binmode STDOUT;\nbinmode STDERR;\nprint map { chr } 0 .. 255;\nprint STDERR "A\\0B\\n";\n`,
  openFiles: `my @fds = grep { defined readlink("/proc/self/fd/$_") } 3 .. 1023;\nprint "@fds\\n";\n`
}
