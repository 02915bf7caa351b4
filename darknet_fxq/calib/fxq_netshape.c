/* Layer shapes from Darknet's parser, run in a child process: see fxq_netshape.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "darknet.h"
#include "fxq_net.h"
#include "fxq_netshape.h"
#include "activations.h"
#include "fxq_walk.h"

static void shape_of(const layer *l, fxq_layer_shape *s)
{
    memset(s, 0, sizeof *s);
    s->type = l->type;
    s->batch_normalize = l->batch_normalize;
    s->inputs = l->inputs;
    s->outputs = l->outputs;
    s->out_h = l->out_h, s->out_w = l->out_w, s->out_c = l->out_c;
    s->quantizable = fxq_layer_quantizable(l);
    if (!s->quantizable) return;
    s->params = l->type == CONVOLUTIONAL ? (long long)l->nweights : (long long)l->inputs * l->outputs;
    s->macs = (long long)fxq_layer_macs(l);
    (void)fxq_layer_fixed_ok(l, s->why_not, sizeof s->why_not); /* left empty when it can */
    snprintf(s->activation, sizeof s->activation, "%s", get_activation_string(l->activation));
}

/* Whether layer j reads layer i's output (Darknet's wiring: the previous
 * layer, a [route]'s list, a [shortcut]'s second input). */
static int reads(const network *net, int j, int i)
{
    const layer *l = &net->layers[j];
    if (l->type == ROUTE) {
        for (int k = 0; k < l->n; ++k)
            if (l->input_layers[k] == i) return 1;
        return 0;
    }
    return j - 1 == i || (l->type == SHORTCUT && l->index == i);
}

/* Layers that hand a tensor on unchanged in kind (fxq_pipe.c's code layers). */
static int passes_on(LAYER_TYPE t)
{
    return t == MAXPOOL || t == AVGPOOL || t == ROUTE || t == SHORTCUT || t == UPSAMPLE || t == REORG;
}

/* Marks the head layers (fxq_layer_shape.head). Consumers come after their
 * producers, so one pass from the end settles for every layer whether its
 * output reaches a quantized layer (q) or a float reader or the caller (f)
 * through pass-on layers. */
static void mark_heads(const network *net, fxq_layer_shape *s)
{
    const int n = net->n;
    char *f = calloc((size_t)n, 1), *q = calloc((size_t)n, 1);
    if (!f || !q) { /* no marks: every output keeps --abits */
        free(f), free(q);
        return;
    }
    for (int i = n - 1; i >= 0; --i) {
        f[i] = i == n - 1 || net->layers[i].output == net->output;
        for (int j = i + 1; j < n; ++j) {
            if (!reads(net, j, i)) continue;
            const layer *c = &net->layers[j];
            if (passes_on(c->type)) f[i] |= f[j], q[i] |= q[j];
            else if (s[j].quantizable && !s[j].why_not[0]) q[i] = 1;
            else f[i] = 1;
        }
        s[i].head = s[i].quantizable && !s[i].why_not[0] && f[i] && !q[i];
    }
    free(f), free(q);
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        p += w, len -= (size_t)w;
    }
    return 1;
}

/* The child: parse, send {n, shapes[n]} down the pipe, exit. Its temporary
 * files go to `tmpdir`, which the parent empties: an abort skips cleanup. */
static void probe_child(const char *cfg, int out_fd, int log_fd, const char *tmpdir)
{
    dup2(log_fd, STDERR_FILENO);
    if (tmpdir) setenv("TMPDIR", tmpdir, 1);
    char why[1024];
    network *net = fxq_net_load(cfg, NULL, 1, why, sizeof why);
    if (!net) {
        fprintf(stderr, "%s\n", why);
        _exit(3);
    }
    int n = net->n;
    fxq_layer_shape *s = calloc((size_t)n, sizeof *s);
    if (!s) _exit(4);
    for (int i = 0; i < n; ++i) shape_of(&net->layers[i], &s[i]);
    mark_heads(net, s);
    int ok = write_all(out_fd, &n, sizeof n) && write_all(out_fd, s, sizeof *s * (size_t)n);
    _exit(ok ? 0 : 4);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[PATH_MAX];
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static size_t read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, p + got, len - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

/* Last line of the child's messages that says something (not the assert). */
static void last_message(FILE *log, char *out, size_t out_len)
{
    char line[512];
    out[0] = 0;
    rewind(log);
    while (fgets(line, sizeof line, log)) {
        line[strcspn(line, "\n")] = 0;
        const char *p = line;
        while (*p == ' ') ++p;
        if (!*p || strstr(p, "Assertion") || !strncmp(p, "layer ", 6)) continue;
        snprintf(out, out_len, "%s", p);
    }
}

static void copy_log(FILE *log)
{
    char buf[4096];
    size_t r;
    rewind(log);
    while ((r = fread(buf, 1, sizeof buf, log)) > 0) fwrite(buf, 1, r, stderr);
}

fxq_netshape *fxq_netshape_probe(const char *cfg, char *why, size_t why_len)
{
    int fds[2];
    const char *base = getenv("TMPDIR");
    char tmpdir[PATH_MAX];
    snprintf(tmpdir, sizeof tmpdir, "%s/fxq-probe.XXXXXX", base && *base ? base : "/tmp");
    const int have_tmpdir = mkdtemp(tmpdir) != NULL;
    FILE *log = tmpfile();
    if (!log || pipe(fds) != 0) {
        snprintf(why, why_len, "%s: cannot start the cfg parser: %s", cfg, strerror(errno));
        if (log) fclose(log);
        if (have_tmpdir) remove_dir(tmpdir);
        return NULL;
    }
    fflush(NULL); /* the child must not flush our buffers a second time */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_len, "%s: cannot start the cfg parser: %s", cfg, strerror(errno));
        close(fds[0]), close(fds[1]), fclose(log);
        if (have_tmpdir) remove_dir(tmpdir);
        return NULL;
    }
    if (pid == 0) {
        close(fds[0]);
        probe_child(cfg, fds[1], fileno(log), have_tmpdir ? tmpdir : NULL);
    }
    close(fds[1]);
    fxq_netshape *ns = calloc(1, sizeof *ns);
    int n = 0, complete = 0;
    if (ns && read_all(fds[0], &n, sizeof n) == sizeof n && n > 0 && n < (1 << 20)) {
        ns->layers = calloc((size_t)n, sizeof *ns->layers);
        if (ns->layers) {
            size_t want = sizeof *ns->layers * (size_t)n;
            complete = read_all(fds[0], ns->layers, want) == want;
            ns->n = n;
        }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (have_tmpdir) remove_dir(tmpdir);
    const int child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!child_ok || !complete) {
        char msg[512];
        last_message(log, msg, sizeof msg);
        copy_log(log);
        if (WIFSIGNALED(status))
            snprintf(why, why_len, "%s: Darknet cannot build this network (its parser crashed, signal %d%s%s)", cfg,
                     WTERMSIG(status), msg[0] ? "; last message: " : "", msg);
        else
            snprintf(why, why_len, "%s: Darknet cannot build this network%s%s", cfg, msg[0] ? ": " : "", msg);
        fclose(log);
        fxq_netshape_free(ns);
        return NULL;
    }
    fclose(log);
    /* Darknet builds layers with negative or zero sizes without complaint
     * (a kernel larger than its input) and then reads out of bounds. */
    for (int i = 0; i < ns->n; ++i) {
        const fxq_layer_shape *l = &ns->layers[i];
        if (l->outputs <= 0 || l->inputs < 0 || (l->quantizable && (l->params <= 0 || l->macs <= 0)) ||
            (l->type == CONVOLUTIONAL && (l->out_h <= 0 || l->out_w <= 0 || l->out_c <= 0))) {
            snprintf(why, why_len, "%s: layer %d has an empty output (%dx%dx%d, %lld values): is a kernel larger than its input?",
                     cfg, i, l->out_w, l->out_h, l->out_c, l->outputs);
            fxq_netshape_free(ns);
            return NULL;
        }
    }
    return ns;
}

void fxq_netshape_free(fxq_netshape *ns)
{
    if (!ns) return;
    free(ns->layers);
    free(ns);
}
