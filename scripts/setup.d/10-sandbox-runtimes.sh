#!/usr/bin/env bash
# The native sandbox (the default of `npm start` and what CI tests): bubblewrap, the util-linux
# tools it is launched with, and the host runtimes user code runs on, with the libraries users
# expect for file work: python3 (Pillow, ReportLab, NumPy, pypdf), gcc + libc6-dev, php-cli (gd,
# mbstring, xml, zip, curl) and Node.js with a read-only set of npm libraries in /opt/codebox.
# Needed in both modes. Idempotent: a second run checks dpkg and a stamp file and does nothing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

apt_install bubblewrap util-linux bash \
  python3 python3-pil python3-reportlab python3-numpy python3-pypdf \
  gcc libc6-dev \
  php-cli php-gd php-mbstring php-xml php-zip php-curl

# Node.js for user code (/usr/bin/node; any version >= 18 does; the project itself runs on the
# Node in .tools). A machine that already has nodejs (Debian's or NodeSource's) keeps it.
command -v /usr/bin/node >/dev/null || apt_install nodejs npm

# The npm libraries user code may require(); keep in step with `libraries` in
# packages/lang-javascript/src/index.ts and its image/Dockerfile (a conformance test checks it).
JS_LIBS="pdf-lib@1 jimp@1 csv-parser@3 yaml@2 xlsx@0.18 fs-extra@11 jsonfile@6"
JS_DIR=/opt/codebox
if [ "$(cat "$JS_DIR/.codebox-libraries" 2>/dev/null)" != "$JS_LIBS" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "the JavaScript libraries for user code are missing; run as root: npm install --prefix $JS_DIR $JS_LIBS"
    exit 1
  fi
  NPM="$(command -v npm || true)"
  [ -n "$NPM" ] || { apt_install npm; NPM=/usr/bin/npm; }
  say "installing the JavaScript libraries for user code into $JS_DIR"
  mkdir -p "$JS_DIR"
  "$NPM" install --silent --prefix "$JS_DIR" --omit=dev --no-audit --no-fund --no-save $JS_LIBS >&2
  chmod -R a+rX,go-w "$JS_DIR"
  echo "$JS_LIBS" > "$JS_DIR/.codebox-libraries"
fi
