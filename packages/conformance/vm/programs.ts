/** Programs the cgroup-v2 guest checks run, by language id (the plugins' samples have no such). */

/** Forks up to 20 children that sleep, and prints how many forks succeeded. */
export const forkCounters: Record<string, string> = {
  python:
    "import os, time\nn = 0\nfor _ in range(20):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n" +
    "    if pid == 0:\n        time.sleep(30)\n        os._exit(0)\n    n += 1\nprint(n)\n",
  c:
    "#include <stdio.h>\n#include <unistd.h>\nint main(void) {\n  int n = 0;\n  for (int i = 0; i < 20; i++) {\n" +
    "    pid_t p = fork();\n    if (p < 0) break;\n    if (p == 0) { sleep(30); _exit(0); }\n    n++;\n  }\n" +
    '  printf("%d\\n", n);\n  return 0;\n}\n'
}

/** Sleeps a minute without using the cpu: only the wall-time limit can end it. */
export const sleepers: Record<string, string> = {
  python: "import time\ntime.sleep(60)\n",
  c: "#include <unistd.h>\nint main(void) { sleep(60); return 0; }\n"
}
