/*
 * gen: compiles denied.txt (the CodeBox seccomp policy) into
 *   --bpf FILE   the raw `struct sock_filter` array that `bwrap --seccomp FD` loads
 *   --json FILE  the same policy as a Docker/OCI seccomp profile
 *   --pfc FILE   libseccomp's human-readable dump of the filter, for review
 *
 * Usage: gen [--bpf FILE] [--json FILE] [--pfc FILE] denied.txt
 * Build: gcc -O2 -Wall -o gen gen.c -lseccomp      (Debian: apt-get install libseccomp-dev gcc)
 *
 * Policy (see denied.txt): every syscall numbered 0..N (N from `@newer-than N`) is allowed unless
 * listed; a listed one fails with EPERM or its named errno; anything above N fails with ENOSYS;
 * a call from a foreign ABI (i386 int 0x80, x32) kills the process.
 *
 * How: libseccomp cannot express "deny unless the argument is one of these values" in a
 * default-allow filter (a rule whose action equals the default action is refused), so the
 * filter is built default-deny (EPERM) with an allow rule for every permitted number, exactly
 * like Docker's profile. Conditional lines are turned into allow rules with one comparison per
 * argument (libseccomp refuses two comparisons of one argument in a rule, and Docker's runc would
 * OR them). libseccomp has no "number greater than" test, so a short hand-written prologue runs
 * first: wrong architecture -> kill, x32 -> kill, number > N (and -1) -> ENOSYS. Classic BPF jumps are
 * relative, so libseccomp's exported program is appended to the prologue unchanged.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_NR 1024     /* syscall numbers handled; a cut-off must be below this */
#define MAX_LINES 8     /* conditional lines per syscall */
#define MAX_VALS 16     /* values in one not-in list */
#define MAX_RULES 32    /* allow rules generated for one syscall */
#define X32_SYSCALL_BIT 0x40000000u

enum op { OP_EQ, OP_MASK, OP_NOTIN };

struct cond {
  int arg;
  enum op op;
  uint64_t vals[MAX_VALS];
  int nvals;
};

struct entry {
  int used;
  int lineno;        /* first line naming this syscall */
  int always;        /* unconditional deny */
  int err;           /* errno for the deny */
  int nconds;
  struct cond conds[MAX_LINES];
  char why[1024];    /* unconditional: the line's comment; conditional: all lines' comments */
};

/* One allow rule: a single comparison (or none). */
struct rule {
  int has_cmp;
  int arg;
  enum scmp_compare cmp;
  uint64_t datum_a, datum_b;
};

static struct entry table[MAX_NR];
static int cutoff = -1, cutoff_err = ENOSYS, cutoff_line = 0;
static const char *list_path;

static void die(int lineno, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (lineno > 0) fprintf(stderr, "gen: %s:%d: ", list_path, lineno);
  else fprintf(stderr, "gen: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static const struct { const char *name; int value; } errnos[] = {
  {"EPERM", EPERM}, {"ENOSYS", ENOSYS}, {"EACCES", EACCES}, {"EINVAL", EINVAL},
  {"EAFNOSUPPORT", EAFNOSUPPORT}, {"EOPNOTSUPP", EOPNOTSUPP}, {"ENOTSUP", ENOTSUP},
};

static int parse_errno(const char *s) {
  for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
    if (strcmp(s, errnos[i].name) == 0) return errnos[i].value;
  return -1;
}

static int is_errno_token(const char *s) { return s[0] == 'E' && isupper((unsigned char)s[1]); }

static uint64_t parse_value(int lineno, const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || *end || !*s || s[0] == '-') die(lineno, "bad number \"%s\"", s);
  return (uint64_t)v;
}

static uint32_t native_arch;

static void parse_list(FILE *f) {
  char line[1024];
  int lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (!strchr(line, '\n') && !feof(f)) die(lineno, "line too long");
    char *hash = strchr(line, '#');
    char *why = NULL;
    if (hash) {
      *hash = '\0';
      why = hash + 1;
      while (isspace((unsigned char)*why)) why++;
      why[strcspn(why, "\n")] = '\0';
    }
    char *tok[MAX_VALS + 8];
    int n = 0;
    for (char *t = strtok(line, " \t\r\n"); t; t = strtok(NULL, " \t\r\n")) {
      if (n == (int)(sizeof tok / sizeof tok[0])) die(lineno, "too many words");
      tok[n++] = t;
    }
    if (n == 0) continue;                       /* blank or comment-only line */
    if (!why || !*why) die(lineno, "every rule needs a \"# why\" comment");

    if (strcmp(tok[0], "@newer-than") == 0) {
      if (cutoff >= 0) die(lineno, "@newer-than given twice");
      if (n < 2 || n > 3) die(lineno, "usage: @newer-than <nr> [ERRNO]  # why");
      uint64_t v = parse_value(lineno, tok[1]);
      if (v >= MAX_NR) die(lineno, "cut-off %llu is too large", (unsigned long long)v);
      cutoff = (int)v;
      cutoff_line = lineno;
      if (n == 3 && (cutoff_err = parse_errno(tok[2])) < 0) die(lineno, "unknown errno %s", tok[2]);
      continue;
    }
    if (tok[0][0] == '@') die(lineno, "unknown directive %s", tok[0]);

    for (const char *p = tok[0]; *p; p++)
      if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
        die(lineno, "\"%s\" is not a syscall name", tok[0]);
    int nr = seccomp_syscall_resolve_name_arch(native_arch, tok[0]);
    if (nr == __NR_SCMP_ERROR) die(lineno, "libseccomp does not know a syscall \"%s\"", tok[0]);
    if (nr < 0) {
      fprintf(stderr, "gen: %s:%d: note: %s is not a syscall on this architecture, skipped\n", list_path, lineno, tok[0]);
      continue;
    }
    if (nr >= MAX_NR) die(lineno, "%s has number %d, beyond this generator's table", tok[0], nr);
    struct entry *e = &table[nr];

    int i = 1, err = EPERM;
    struct cond c = {.arg = -1};
    if (i < n && strncmp(tok[i], "arg", 3) == 0) {
      const char *a = tok[i] + 3;
      if (!(a[0] >= '0' && a[0] <= '5' && a[1] == '\0')) die(lineno, "argument must be arg0..arg5, got %s", tok[i]);
      c.arg = a[0] - '0';
      if (++i >= n) die(lineno, "missing operator after arg%d", c.arg);
      const char *op = tok[i++];
      if (strcmp(op, "==") == 0) c.op = OP_EQ;
      else if (strcmp(op, "&") == 0) c.op = OP_MASK;
      else if (strcmp(op, "not-in") == 0) c.op = OP_NOTIN;
      else die(lineno, "unknown operator \"%s\" (use ==, & or not-in)", op);
      while (i < n && !is_errno_token(tok[i])) {
        if (c.nvals == MAX_VALS) die(lineno, "too many values");
        c.vals[c.nvals++] = parse_value(lineno, tok[i++]);
      }
      if (c.nvals == 0) die(lineno, "missing value");
      if (c.op != OP_NOTIN && c.nvals != 1) die(lineno, "%s takes one value", op);
      if (c.op == OP_MASK && c.vals[0] == 0) die(lineno, "mask 0 never matches");
    }
    if (i < n) {
      if ((err = parse_errno(tok[i])) < 0) die(lineno, "unknown errno %s", tok[i]);
      i++;
    }
    if (i != n) die(lineno, "unexpected \"%s\"", tok[i]);

    if (e->used && (e->always || c.arg < 0))
      die(lineno, "%s is listed more than once (first on line %d)", tok[0], e->lineno);
    if (!e->used) {
      e->used = 1;
      e->lineno = lineno;
    }
    size_t wl = strlen(e->why);
    snprintf(e->why + wl, sizeof e->why - wl, "%s%s", wl ? " | " : "", why);
    e->err = err;
    if (c.arg < 0) {
      e->always = 1;
    } else {
      if (err != EPERM) die(lineno, "a conditional line can only use EPERM (the filter's default)");
      if (e->nconds == MAX_LINES) die(lineno, "too many lines for %s", tok[0]);
      e->conds[e->nconds++] = c;
    }
  }
  if (ferror(f)) die(0, "reading %s: %s", list_path, strerror(errno));
  if (cutoff < 0) die(0, "%s has no \"@newer-than <nr> ENOSYS\" line", list_path);
  for (int nr = cutoff + 1; nr < MAX_NR; nr++)
    if (table[nr].used) die(table[nr].lineno, "syscall %d is above @newer-than %d and already refused", nr, cutoff);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/*
 * Turns the conditional deny lines of one syscall into allow rules, each with at most one
 * comparison. Deny when: arg == e for some e in E, or arg & M != 0, or arg not in A.
 */
static int allow_rules(int nr, const struct entry *e, struct rule *out) {
  int arg = e->conds[0].arg, have_a = 0, ne = 0, na = 0, nout = 0;
  uint64_t E[MAX_LINES], A[MAX_VALS], M = 0;
  for (int i = 0; i < e->nconds; i++) {
    const struct cond *c = &e->conds[i];
    if (c->arg != arg) die(e->lineno, "syscall %d: all conditions of a call must test the same argument", nr);
    if (c->op == OP_EQ) E[ne++] = c->vals[0];
    else if (c->op == OP_MASK) M |= c->vals[0];
    else {
      if (have_a) die(e->lineno, "syscall %d: only one not-in line per call", nr);
      have_a = 1;
      memcpy(A, c->vals, sizeof(uint64_t) * c->nvals);
      na = c->nvals;
    }
  }
  if (have_a) {                                /* allowed: exactly the values of A that survive */
    qsort(A, na, sizeof A[0], cmp_u64);
    for (int i = 0; i < na; i++) {
      int denied = (A[i] & M) != 0;
      for (int j = 0; j < ne; j++) denied |= A[i] == E[j];
      if (denied || (i > 0 && A[i] == A[i - 1])) continue;
      out[nout++] = (struct rule){1, arg, SCMP_CMP_EQ, A[i], 0};
    }
    if (nout == 0) die(e->lineno, "syscall %d: no value is left allowed; deny it outright", nr);
    return nout;
  }
  if (M && ne) die(e->lineno, "syscall %d: cannot mix == and & lines for one call", nr);
  if (M) {
    out[nout++] = (struct rule){1, arg, SCMP_CMP_MASKED_EQ, M, 0};
    return nout;
  }
  /* Only ==: allow the gaps between the denied values, one comparison each. */
  qsort(E, ne, sizeof E[0], cmp_u64);
  if (E[0] > 0) out[nout++] = (struct rule){1, arg, SCMP_CMP_LT, E[0], 0};
  for (int i = 0; i + 1 < ne; i++) {
    if (E[i + 1] <= E[i] + 1) continue;       /* duplicates or adjacent: no gap */
    if (E[i + 1] != E[i] + 2)
      die(e->lineno, "syscall %d: the gap %llu..%llu needs two comparisons of one argument; not supported", nr,
          (unsigned long long)E[i] + 1, (unsigned long long)E[i + 1] - 1);
    out[nout++] = (struct rule){1, arg, SCMP_CMP_EQ, E[i] + 1, 0};
  }
  if (E[ne - 1] < UINT64_MAX) out[nout++] = (struct rule){1, arg, SCMP_CMP_GT, E[ne - 1], 0};
  return nout;
}

static const char *cmp_name(enum scmp_compare c) {
  switch (c) {
    case SCMP_CMP_EQ: return "SCMP_CMP_EQ";
    case SCMP_CMP_LT: return "SCMP_CMP_LT";
    case SCMP_CMP_GT: return "SCMP_CMP_GT";
    case SCMP_CMP_MASKED_EQ: return "SCMP_CMP_MASKED_EQ";
    default: return "?";
  }
}

static const char *arch_name(uint32_t arch) {
  switch (arch) {
    case SCMP_ARCH_X86_64: return "SCMP_ARCH_X86_64";
    case SCMP_ARCH_AARCH64: return "SCMP_ARCH_AARCH64";
    case SCMP_ARCH_PPC64LE: return "SCMP_ARCH_PPC64LE";
    case SCMP_ARCH_S390X: return "SCMP_ARCH_S390X";
    case SCMP_ARCH_RISCV64: return "SCMP_ARCH_RISCV64";
    default: return NULL;
  }
}

/* Writes data to path through a temporary file and rename(), so readers never see half a file. */
static void write_atomic(const char *path, const void *data, size_t len) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp) die(0, "path too long");
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) die(0, "%s: %s", tmp, strerror(errno));
  const char *p = data;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      die(0, "%s: %s", tmp, strerror(errno));
    }
    p += w;
    len -= (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) die(0, "%s: %s", tmp, strerror(errno));
  if (rename(tmp, path) != 0) die(0, "rename %s: %s", path, strerror(errno));
}

/* A growable string. */
struct buf { char *p; size_t len, cap; };
static void bprintf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) die(0, "vsnprintf failed");
    if (b->p && b->len + (size_t)n < b->cap) { b->len += (size_t)n; return; }
    b->cap = (b->cap + (size_t)n + 1) * 2;
    if (!(b->p = realloc(b->p, b->cap))) die(0, "out of memory");
  }
}
static void bjson_str(struct buf *b, const char *s) {
  bprintf(b, "\"");
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') bprintf(b, "\\%c", ch);
    else if (ch < 0x20) bprintf(b, "\\u%04x", ch);
    else bprintf(b, "%c", ch);
  }
  bprintf(b, "\"");
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void read_all(int fd, struct buf *b) {
  if (lseek(fd, 0, SEEK_SET) < 0) die(0, "lseek: %s", strerror(errno));
  char chunk[4096];
  ssize_t r;
  while ((r = read(fd, chunk, sizeof chunk)) != 0) {
    if (r < 0) {
      if (errno == EINTR) continue;
      die(0, "read: %s", strerror(errno));
    }
    if (b->len + (size_t)r > b->cap) {
      b->cap = (b->len + (size_t)r) * 2;
      if (!(b->p = realloc(b->p, b->cap))) die(0, "out of memory");
    }
    memcpy(b->p + b->len, chunk, (size_t)r);
    b->len += (size_t)r;
  }
}

int main(int argc, char **argv) {
  const char *bpf_out = NULL, *json_out = NULL, *pfc_out = NULL;
  int i;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--bpf") == 0 && i + 1 < argc) bpf_out = argv[++i];
    else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) json_out = argv[++i];
    else if (strcmp(argv[i], "--pfc") == 0 && i + 1 < argc) pfc_out = argv[++i];
    else if (argv[i][0] == '-') break;
    else { list_path = argv[i]; i++; break; }
  }
  if (!list_path || i != argc || (!bpf_out && !json_out && !pfc_out)) {
    fprintf(stderr, "usage: %s [--bpf FILE] [--json FILE] [--pfc FILE] denied.txt\n", argv[0]);
    return 2;
  }

  native_arch = seccomp_arch_native();
  const char *arch = arch_name(native_arch);
  if (!arch) die(0, "unsupported native architecture 0x%x", native_arch);

  FILE *f = fopen(list_path, "r");
  if (!f) die(0, "%s: %s", list_path, strerror(errno));
  parse_list(f);
  fclose(f);

  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (!ctx) die(0, "seccomp_init failed");
  int rc;
  if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) != 0)
    die(0, "bad-arch action: %s", strerror(-rc));
  /* A binary tree of syscall numbers instead of a linear chain (libseccomp >= 2.5). */
  if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) != 0)
    fprintf(stderr, "gen: note: no binary-tree optimisation (%s)\n", strerror(-rc));

  struct buf json = {0};
  char **allowed = calloc(MAX_NR, sizeof(char *));
  int nallowed = 0, ndenied = 0, nconditional = 0;
  if (!allowed) die(0, "out of memory");
  bprintf(&json, "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRet\": %d,\n", EPERM);
  bprintf(&json, "  \"architectures\": [\"%s\"],\n  \"syscalls\": [\n", arch);
  struct buf extra = {0};   /* JSON entries after the big allow list */

  for (int nr = 0; nr <= cutoff; nr++) {
    struct entry *e = &table[nr];
    char *name = seccomp_syscall_resolve_num_arch(native_arch, nr);   /* NULL: libseccomp has no name */
    if (!e->used) {
      if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) != 0) die(0, "allow %d: %s", nr, strerror(-rc));
      if (name) allowed[nallowed++] = name;
      continue;
    }
    if (e->always) {
      ndenied++;
      if (e->err != EPERM) {
        if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(e->err), nr, 0)) != 0) die(e->lineno, "rule: %s", strerror(-rc));
        bprintf(&extra, ",\n    {\n      \"names\": [\"%s\"],\n      \"action\": \"SCMP_ACT_ERRNO\",\n      \"errnoRet\": %d,\n      \"comment\": ", name, e->err);
        bjson_str(&extra, e->why);
        bprintf(&extra, "\n    }");
      }
      free(name);
      continue;
    }
    nconditional++;
    struct rule rules[MAX_RULES];
    int nrules = allow_rules(nr, e, rules);
    for (int r = 0; r < nrules; r++) {
      struct scmp_arg_cmp cmp = {.arg = rules[r].arg, .op = rules[r].cmp, .datum_a = rules[r].datum_a, .datum_b = rules[r].datum_b};
      if ((rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp)) != 0) die(e->lineno, "rule: %s", strerror(-rc));
      bprintf(&extra, ",\n    {\n      \"names\": [\"%s\"],\n      \"action\": \"SCMP_ACT_ALLOW\",\n", name);
      bprintf(&extra, "      \"args\": [{\"index\": %d, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"%s\"}],\n      \"comment\": ",
              rules[r].arg, (unsigned long long)rules[r].datum_a, (unsigned long long)rules[r].datum_b, cmp_name(rules[r].cmp));
      bjson_str(&extra, e->why);
      bprintf(&extra, "\n    }");
    }
    free(name);
  }

  qsort(allowed, nallowed, sizeof allowed[0], cmp_str);
  bprintf(&json, "    {\n      \"names\": [");
  for (int k = 0; k < nallowed; k++) bprintf(&json, "%s\n        \"%s\"", k ? "," : "", allowed[k]);
  bprintf(&json, "\n      ],\n      \"action\": \"SCMP_ACT_ALLOW\",\n      \"comment\": \"every syscall up to %d except those denied in denied.txt\"\n    }", cutoff);
  if (extra.p) bprintf(&json, "%s", extra.p);
  bprintf(&json, "\n  ]\n}\n");

  /* libseccomp's program, exported into memory. */
  int mfd = memfd_create("codebox-seccomp", MFD_CLOEXEC);
  if (mfd < 0) die(0, "memfd_create: %s", strerror(errno));
  if ((rc = seccomp_export_bpf(ctx, mfd)) != 0) die(0, "seccomp_export_bpf: %s", strerror(-rc));
  struct buf prog = {0};
  read_all(mfd, &prog);
  close(mfd);
  if (prog.len == 0 || prog.len % sizeof(struct sock_filter)) die(0, "libseccomp exported %zu bytes", prog.len);

  /* The prologue (see the top of this file). */
  struct sock_filter pro[16];
  int np = 0;
  pro[np++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4);                     /* A = arch */
  pro[np++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, native_arch, 1, 0);
  pro[np++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  pro[np++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);                     /* A = nr */
  if (native_arch == SCMP_ARCH_X86_64) {
    /* x32 numbers have bit 30 set. -1 (0xffffffff) is not x32: it is what a tracer sets to skip
     * a call, and the kernel answers it with ENOSYS; let it reach the cut-off test below. */
    pro[np++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, 2, 0);
    pro[np++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
    pro[np++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  }
  pro[np++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)cutoff, 0, 1);
  pro[np++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (cutoff_err & SECCOMP_RET_DATA));
  size_t total = np + prog.len / sizeof(struct sock_filter);
  if (total > BPF_MAXINSNS) die(0, "filter has %zu instructions, the kernel takes at most %d", total, BPF_MAXINSNS);
  struct buf full = {0};
  full.cap = total * sizeof(struct sock_filter);
  if (!(full.p = malloc(full.cap))) die(0, "out of memory");
  memcpy(full.p, pro, np * sizeof(struct sock_filter));
  memcpy(full.p + np * sizeof(struct sock_filter), prog.p, prog.len);
  full.len = full.cap;

  if (bpf_out) write_atomic(bpf_out, full.p, full.len);
  if (json_out) write_atomic(json_out, json.p, json.len);
  if (pfc_out) {
    struct buf pfc = {0};
    const char *base = strrchr(list_path, '/');
    bprintf(&pfc, "# CodeBox seccomp filter, generated from %s\n", base ? base + 1 : list_path);
    bprintf(&pfc, "# prologue (%d instructions, before libseccomp's program):\n", np);
    bprintf(&pfc, "#   if ($arch != %u) action KILL_PROCESS;\n", native_arch);
    if (native_arch == SCMP_ARCH_X86_64)
      bprintf(&pfc, "#   if ($syscall >= 0x40000000 && $syscall != 0xffffffff) action KILL_PROCESS;   # x32 ABI\n");
    bprintf(&pfc, "#   if ($syscall > %d) action ERRNO(%d);\n", cutoff, cutoff_err);
    int pfd = memfd_create("codebox-pfc", MFD_CLOEXEC);
    if (pfd < 0) die(0, "memfd_create: %s", strerror(errno));
    if ((rc = seccomp_export_pfc(ctx, pfd)) != 0) die(0, "seccomp_export_pfc: %s", strerror(-rc));
    read_all(pfd, &pfc);
    close(pfd);
    write_atomic(pfc_out, pfc.p, pfc.len);
  }
  fprintf(stderr, "gen: %s: %d syscalls denied outright, %d by argument, %d allowed (0..%d), above %d: errno %d; %zu BPF instructions\n",
          arch, ndenied, nconditional, cutoff + 1 - ndenied - nconditional, cutoff, cutoff, cutoff_err, total);
  seccomp_release(ctx);
  return 0;
}
