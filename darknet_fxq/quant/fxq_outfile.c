/* Safe output files (see fxq_outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxq_outfile.h"

int fxq_out_distinct(const char *out, const char *const *inputs, int n, char *why, size_t why_len)
{
    struct stat so, si;
    if (!strcmp(out, "-") || stat(out, &so)) return 1; /* a new file cannot be an input */
    if (S_ISDIR(so.st_mode)) {
        snprintf(why, why_len, "%s: is a directory", out);
        return 0;
    }
    for (int i = 0; i < n; ++i) {
        if (!inputs[i] || strcmp(inputs[i], "-") == 0 || stat(inputs[i], &si)) continue;
        if (si.st_dev == so.st_dev && si.st_ino == so.st_ino && S_ISREG(so.st_mode)) {
            snprintf(why, why_len, "%s: is the input %s: the output would overwrite an input; choose another path", out,
                     inputs[i]);
            return 0;
        }
    }
    return 1;
}

/* realpath of the folder of `p` + "/" + its last component; 0 when the
 * folder cannot be resolved. */
static int fxq_out_canon(const char *p, char *out, size_t len)
{
    const char *slash = strrchr(p, '/');
    char dir[PATH_MAX];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "%.*s", slash == p ? 1 : (int)(slash - p), p);
    char real[PATH_MAX];
    if (!realpath(dir, real)) return 0;
    snprintf(out, len, "%s/%s", real, slash ? slash + 1 : p);
    return 1;
}

int fxq_out_same(const char *a, const char *b)
{
    if (!strcmp(a, b)) return 1;
    struct stat sa, sb;
    const int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea || eb) return 0;
    char ca[PATH_MAX + 256], cb[PATH_MAX + 256];
    return fxq_out_canon(a, ca, sizeof ca) && fxq_out_canon(b, cb, sizeof cb) && !strcmp(ca, cb);
}

/* Temp files alive now, removed by the exit/signal handlers. A process has
 * at most a few outputs open at once. */
#define FXQ_OUT_MAX_LIVE 16
static char *volatile fxq_live[FXQ_OUT_MAX_LIVE];

static void fxq_unlink_live(void)
{
    /* files first, then the temp folders that held them (unlink and rmdir
     * are async-signal-safe) */
    for (int pass = 0; pass < 2; ++pass)
        for (int i = 0; i < FXQ_OUT_MAX_LIVE; ++i)
            if (fxq_live[i]) pass ? rmdir(fxq_live[i]) : unlink(fxq_live[i]);
}

static void fxq_on_signal(int sig)
{
    fxq_unlink_live(); /* unlink is async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void fxq_track(char *tmp, int add)
{
    static int installed;
    if (!installed) {
        installed = 1;
        atexit(fxq_unlink_live);
        const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; ++i) {
            struct sigaction sa, old;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = fxq_on_signal;
            sigemptyset(&sa.sa_mask);
            /* leave a caller's own handler (or an inherited SIG_IGN) alone */
            if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) sigaction(sigs[i], &sa, NULL);
        }
    }
    for (int i = 0; i < FXQ_OUT_MAX_LIVE; ++i) {
        if (add && !fxq_live[i]) {
            fxq_live[i] = tmp;
            return;
        }
        if (!add && fxq_live[i] == tmp) {
            fxq_live[i] = NULL;
            return;
        }
    }
}

int fxq_out_open(fxq_outfile *o, const char *path, char *why, size_t why_len)
{
    memset(o, 0, sizeof *o);
    struct stat st;
    if (!strcmp(path, "-")) {
        o->f = stdout;
        return 1;
    }
    if (!(o->path = strdup(path))) goto oom;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(why, why_len, "%s: is a directory", path);
            goto fail;
        }
        if (!(o->f = fopen(path, "wb"))) {
            snprintf(why, why_len, "%s: cannot open for writing: %s", path, strerror(errno));
            goto fail;
        }
        return 1;
    }
    const size_t len = strlen(path) + 16;
    if (!(o->tmp = malloc(len))) goto oom;
    snprintf(o->tmp, len, "%s.tmp.XXXXXX", path);
    const int fd = mkstemp(o->tmp);
    if (fd < 0) {
        snprintf(why, why_len, "%s: cannot write: cannot create a file next to it: %s", path, strerror(errno));
        goto fail;
    }
    fxq_track(o->tmp, 1);
    /* mkstemp creates 0600; an output is as readable as any file we create */
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    if (!(o->f = fdopen(fd, "wb"))) {
        snprintf(why, why_len, "%s: %s", path, strerror(errno));
        close(fd);
        fxq_out_abort(o);
        return 0;
    }
    return 1;
oom:
    snprintf(why, why_len, "%s: out of memory", path);
fail:
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return 0;
}

void fxq_out_abort(fxq_outfile *o)
{
    if (o->f && o->f != stdout) fclose(o->f);
    if (o->tmp) {
        unlink(o->tmp);
        fxq_track(o->tmp, 0);
    }
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}

/* o->copy: the finished temp file's bytes into the open target, every
 * write checked (a device reports ENOSPC here, not at rename). */
static int fxq_out_copy(fxq_outfile *o, int *err)
{
    FILE *in = fopen(o->tmp, "rb");
    if (!in) {
        *err = errno;
        return 0;
    }
    char buf[1 << 16];
    size_t n;
    int ok = 1;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, o->f) != n) ok = 0, *err = errno;
    if (ok && ferror(in)) ok = 0, *err = EIO;
    fclose(in);
    if (ok && (ferror(o->f) || fflush(o->f))) ok = 0, *err = errno;
    return ok;
}

static int fxq_txn_on, fxq_txn_n;
static fxq_outfile fxq_txn[FXQ_OUT_MAX_LIVE];

void fxq_out_txn_begin(void)
{
    fxq_txn_on = 1;
    fxq_txn_n = 0;
}

int fxq_out_txn_end(int commit, char *why, size_t why_len)
{
    int ok = 1;
    fxq_txn_on = 0;
    for (int pass = 0; pass < 2; ++pass) /* device copies, then renames */
        for (int i = 0; i < fxq_txn_n; ++i) {
            fxq_outfile *o = &fxq_txn[i];
            if (!o->path || o->copy != !pass) continue;
            if (commit && ok) ok = fxq_out_commit(o, why, why_len);
            else fxq_out_abort(o);
        }
    fxq_txn_n = 0;
    return commit ? ok : 1;
}

int fxq_out_commit(fxq_outfile *o, char *why, size_t why_len)
{
    const char *name = o->path ? o->path : "stdout";
    int ok = 1, err = 0;
    if (fxq_txn_on && o->tmp && fxq_txn_n < FXQ_OUT_MAX_LIVE) {
        /* finish the temp file now (its write errors are this run's), put it
         * in place at fxq_out_txn_end */
        if (o->f && !o->copy) {
            ok = !ferror(o->f) && fflush(o->f) == 0 && fsync(fileno(o->f)) == 0;
            err = errno;
            if (fclose(o->f) && ok) ok = 0, err = errno;
            o->f = NULL;
        }
        if (!ok) {
            snprintf(why, why_len, "%s: write failed: %s", name, strerror(err ? err : EIO));
            fxq_out_abort(o);
            return 0;
        }
        fxq_txn[fxq_txn_n++] = *o;
        memset(o, 0, sizeof *o);
        return 1;
    }
    if (o->copy) {
        ok = fxq_out_copy(o, &err);
        if (o->f != stdout && fclose(o->f) && ok) ok = 0, err = errno;
        o->f = NULL;
        if (!ok) {
            snprintf(why, why_len, "%s: write failed: %s", name, strerror(err ? err : EIO));
            fxq_out_abort(o);
            return 0;
        }
        fxq_out_abort(o); /* removes the temp file; the target keeps what was copied */
        return 1;
    }
    if (!o->f) { /* fxq_out_open_named, regular target: the writer closed its own stream */
        const int fd = open(o->tmp, O_RDONLY);
        if (fd < 0 || fsync(fd)) ok = 0, err = errno;
        if (fd >= 0) close(fd);
    } else {
        ok = !ferror(o->f) && fflush(o->f) == 0;
        err = errno;
        if (o->f == stdout) {
            if (!ok) snprintf(why, why_len, "writing to stdout: %s", strerror(err));
            memset(o, 0, sizeof *o);
            return ok;
        }
        if (ok && o->tmp && fsync(fileno(o->f))) ok = 0, err = errno;
        if (fclose(o->f) && ok) ok = 0, err = errno;
        o->f = NULL;
    }
    if (ok && o->tmp && rename(o->tmp, o->path)) ok = 0, err = errno;
    if (!ok) {
        snprintf(why, why_len, "%s: write failed: %s", name, strerror(err ? err : EIO));
        fxq_out_abort(o);
        return 0;
    }
    if (o->tmp) fxq_track(o->tmp, 0);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    return 1;
}

int fxq_out_open_named(fxq_outfile *o, const char *path, char *why, size_t why_len)
{
    struct stat st;
    const int dash = !strcmp(path, "-");
    if (!dash && (stat(path, &st) || S_ISREG(st.st_mode))) {
        if (!fxq_out_open(o, path, why, why_len)) return 0;
        fclose(o->f); /* the writer opens o->tmp itself */
        o->f = NULL;
        return 1;
    }
    memset(o, 0, sizeof *o);
    if (!dash && S_ISDIR(st.st_mode)) {
        snprintf(why, why_len, "%s: is a directory", path);
        return 0;
    }
    /* opened now: a target that cannot take the output fails before the work */
    if (!(o->f = dash ? stdout : fopen(path, "wb"))) {
        snprintf(why, why_len, "%s: cannot open for writing: %s", path, strerror(errno));
        return 0;
    }
    const char *dir = getenv("TMPDIR");
    const size_t len = strlen(dir && *dir ? dir : "/tmp") + 16;
    o->copy = 1;
    if (!(o->path = strdup(path)) || !(o->tmp = malloc(len))) {
        snprintf(why, why_len, "%s: out of memory", path);
        fxq_out_abort(o);
        return 0;
    }
    snprintf(o->tmp, len, "%s/fxq-out-XXXXXX", dir && *dir ? dir : "/tmp");
    const int fd = mkstemp(o->tmp);
    if (fd < 0) {
        snprintf(why, why_len, "%s: cannot create a temporary file %s: %s", path, o->tmp, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        fxq_out_abort(o);
        return 0;
    }
    close(fd);
    fxq_track(o->tmp, 1);
    return 1;
}

int fxq_temp_hold(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return 0;
    for (int i = 0; i < FXQ_OUT_MAX_LIVE; ++i)
        if (!fxq_live[i]) {
            fxq_track(copy, 1);
            return 1;
        }
    free(copy);
    return 0;
}

void fxq_temp_remove(const char *path)
{
    if (unlink(path)) rmdir(path);
    for (int i = 0; i < FXQ_OUT_MAX_LIVE; ++i) {
        char *p = fxq_live[i];
        if (p && !strcmp(p, path)) {
            fxq_track(p, 0);
            free(p);
            return;
        }
    }
}

int fxq_out_write_all(const char *path, const void *data, size_t len, char *why, size_t why_len)
{
    fxq_outfile o;
    if (!fxq_out_open(&o, path, why, why_len)) return 0;
    if (len && fwrite(data, 1, len, o.f) != len) {
        snprintf(why, why_len, "%s: write failed: %s", path, strerror(errno));
        fxq_out_abort(&o);
        return 0;
    }
    return fxq_out_commit(&o, why, why_len);
}
