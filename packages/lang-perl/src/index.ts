import { fileURLToPath } from "node:url"
import { hostile } from "./hostile.ts"
import { type LanguagePlugin, standardLimits, standardMaxima } from "@codebox/core"

/** A Perl single-quoted literal: only `\` and `'` are special inside one, and nothing interpolates. */
export const quotePerl = (path: string): string => `'${path.replace(/[\\']/g, "\\$&")}'`

/** Perl 5 (Debian's perl) with its core modules. */
export const perl: LanguagePlugin = {
  id: "perl",
  aliases: ["pl"],
  displayName: "Perl 5",
  versionProbe: ["/usr/bin/perl", "-v"],
  sourceFile: "main.pl",
  run: {
    argv: ({ sourcePath }) => ["/usr/bin/perl", sourcePath]
  },
  defaultLimits: standardLimits,
  maxLimits: standardMaxima,
  quote: quotePerl,
  syntax: {
    lineComments: ["#"],
    // POD blocks, which perl skips like comments.
    blockComments: [
      ["=pod", "=cut"],
      ["=head1", "=cut"],
      ["=begin", "=cut"]
    ],
    strings: ['"', "'", "`"]
    // No interpolations: code inside a string ("@{[ ... ]}") cannot hold a string with the same
    // quote in Perl, so a placeholder there is written bare, as in any string.
  },
  runtime: {
    image: "codebox/perl:1",
    dockerfile: fileURLToPath(new URL("../image/Dockerfile", import.meta.url)),
    nativePaths: [],
    env: {},
    debianPackages: ["perl"]
  },
  hostile,
  samples: {
    hello: `print "hello\\n";\n`,
    echoUpper: `local $/;\nmy $text = <STDIN>;\nprint uc($text // "");\n`,
    copyInput: [
      `open(my $in, "<:raw", IN_1) or die "cannot open the input: $!";`,
      `my $data = do { local $/; <$in> } // "";`,
      `open(my $out, ">:raw", OUT_copy.txt) or die "cannot open the output: $!";`,
      `print $out $data;`,
      `close($out) or die "cannot write the output: $!";`,
      `print length($data), "\\n";`,
      ``
    ].join("\n"),
    exitThree: `exit 3;\n`,
    memoryHog: `my @chunks;\nwhile (1) {\n    push @chunks, "x" x (10 * 1024 * 1024);\n}\n`,
    busyLoop: `my $n = 0;\nwhile (1) {\n    $n++;\n}\n`,
    placeholders: [
      `use File::Copy qw(copy);`,
      ``,
      `print "code " . IN_1 . "\\n";`,
      `print "string IN_1\\n";`,
      `copy(IN_1, OUT_result.tar.gz) or die "copy: $!";`,
      `copy(IN_1, "OUT_data.json") or die "copy: $!";`,
      ``
    ].join("\n")
  }
}

export default perl
