/* Checked loading of cfg + .weights (see fxq_net.h for why). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxq_cfgtext.h"
#include "fxq_net.h"

/* parser.c's section-name table (not in any header). */
LAYER_TYPE string_to_layer_type(char *type);

int fxq_cfg_check(const char *cfg, char *why, size_t why_len)
{
    fxq_cfgtext *c = fxq_cfgtext_load(cfg, why, why_len);
    if (!c) return 0;
    int sections = 0, ok = 1;
    for (int i = 0; ok && i < c->nlines; ++i) {
        char *line = c->stripped[i];
        /* the reader sees through these; this Darknet's read_cfg does not */
        if (strchr(c->raw[i], '\r') || (i == 0 && !strncmp(c->raw[0], "\xEF\xBB\xBF", 3))) {
            snprintf(why, why_len, "%s:%d: %s: Darknet cannot read this cfg", cfg, i + 1,
                     strchr(c->raw[i], '\r') ? "carriage return (CRLF line endings)" : "UTF-8 byte-order mark");
            ok = 0;
            break;
        }
        if (!line[0] || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            LAYER_TYPE t = string_to_layer_type(line);
            if (sections == 0 && t != NETWORK) {
                snprintf(why, why_len, "%s:%d: first section must be [net] or [network], not %s", cfg, i + 1, line);
                ok = 0;
            } else if (sections > 0 && (t == BLANK || t == NETWORK)) {
                snprintf(why, why_len, "%s:%d: unknown layer type %s", cfg, i + 1, line);
                ok = 0;
            }
            ++sections;
        } else if (!sections) {
            snprintf(why, why_len, "%s:%d: option outside any section", cfg, i + 1);
            ok = 0;
        }
    }
    if (ok && sections < 2) {
        snprintf(why, why_len, "%s: no layers (need [net] and at least one layer section)", cfg);
        ok = 0;
    }
    fxq_cfgtext_free(c);
    return ok;
}

fxq_cfgtext *fxq_cfg_read_text(const char *cfg, char *why, size_t why_len)
{
    fxq_cfgtext *c = fxq_cfgtext_read(cfg, why, why_len);
    for (int s = 1; c && s < c->nsec; ++s) {
        if (string_to_layer_type(c->sec[s].type) != BLANK) continue;
        snprintf(why, why_len, "%s:%d: unknown section type %s", cfg, c->sec[s].header + 1, c->sec[s].type);
        fxq_cfgtext_free(c);
        return NULL;
    }
    return c;
}

/* What load_convolutional_weights / load_connected_weights read. */
static size_t fxq_conv_floats(const layer *l)
{
    const size_t n = (size_t)(l->numload ? l->numload : l->n), groups = l->groups > 0 ? (size_t)l->groups : 1;
    size_t f = n + (size_t)l->c / groups * n * (size_t)l->size * (size_t)l->size;
    if (l->batch_normalize && !l->dontloadscales) f += 3 * n;
    return f;
}

static size_t fxq_conn_floats(const layer *l)
{
    size_t f = (size_t)l->outputs + (size_t)l->outputs * (size_t)l->inputs;
    if (l->batch_normalize && !l->dontloadscales) f += 3 * (size_t)l->outputs;
    return f;
}

size_t fxq_layer_weight_floats(const layer *l)
{
    size_t f = 0;
    switch (l->type) {
    case CONVOLUTIONAL:
    case DECONVOLUTIONAL:
    case FXCONVOLUTIONAL: f = fxq_conv_floats(l); break;
    case CONNECTED:
    case FXCONNECTED: f = fxq_conn_floats(l); break;
    case BATCHNORM: f = 3 * (size_t)l->c; break;
    case CRNN: f = fxq_conv_floats(l->input_layer) + fxq_conv_floats(l->self_layer) + fxq_conv_floats(l->output_layer); break;
    case RNN: f = fxq_conn_floats(l->input_layer) + fxq_conn_floats(l->self_layer) + fxq_conn_floats(l->output_layer); break;
    case LSTM:
        f = fxq_conn_floats(l->wi) + fxq_conn_floats(l->wf) + fxq_conn_floats(l->wo) + fxq_conn_floats(l->wg) +
            fxq_conn_floats(l->ui) + fxq_conn_floats(l->uf) + fxq_conn_floats(l->uo) + fxq_conn_floats(l->ug);
        break;
    case GRU:
        f = fxq_conn_floats(l->wz) + fxq_conn_floats(l->wr) + fxq_conn_floats(l->wh) + fxq_conn_floats(l->uz) +
            fxq_conn_floats(l->ur) + fxq_conn_floats(l->uh);
        break;
    case LOCAL:
        f = (size_t)l->outputs + (size_t)l->size * l->size * l->c * l->n * l->out_w * l->out_h;
        break;
    default: break;
    }
    return f;
}

size_t fxq_weights_bytes(const network *net, int major, int minor, size_t *layer_end)
{
    size_t bytes = 3 * sizeof(int);
    bytes += ((major * 10 + minor) >= 2 && major < 1000 && minor < 1000) ? sizeof(size_t) : sizeof(int);
    for (int i = 0; i < net->n; ++i) {
        const layer *l = &net->layers[i];
        if (!l->dontload) bytes += fxq_layer_weight_floats(l) * sizeof(float);
        if (layer_end) layer_end[i] = bytes;
    }
    return bytes;
}

int fxq_weights_check(const network *net, const char *weights, char *why, size_t why_len)
{
    FILE *f = fopen(weights, "rb");
    if (!f) {
        snprintf(why, why_len, "%s: %s", weights, strerror(errno));
        return 0;
    }
    struct stat st;
    int hdr[3];
    int ok = 0;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "%s: not a regular file", weights);
    } else if (fread(hdr, sizeof(int), 3, f) != 3) {
        snprintf(why, why_len, "%s: too short for a .weights header (%lld bytes)", weights, (long long)st.st_size);
    } else {
        size_t *end = calloc((size_t)net->n, sizeof *end);
        if (!end) {
            snprintf(why, why_len, "%s: out of memory", weights);
        } else {
            const size_t need = fxq_weights_bytes(net, hdr[0], hdr[1], end);
            if ((size_t)st.st_size < need) {
                int i = 0;
                while (i < net->n && end[i] <= (size_t)st.st_size) ++i;
                snprintf(why, why_len, "%s: %lld bytes, the cfg needs %zu (layer %d's record is incomplete)", weights,
                         (long long)st.st_size, need, i);
            } else {
                ok = 1;
            }
            free(end);
        }
    }
    fclose(f);
    return ok;
}

/* Copy of cfg with [net]'s batch/subdivisions replaced; path in tmp (size n). */
static int fxq_cfg_with_batch(const char *cfg, int batch, char *tmp, size_t n, char *why, size_t why_len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(tmp, n, "%s/fxq-cfg.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(why, why_len, "%s: cannot create a temporary copy: %s", cfg, strerror(errno));
        return 0;
    }
    FILE *out = fdopen(fd, "w");
    fxq_cfgtext *c = fxq_cfgtext_load(cfg, why, why_len);
    int in_net = 0, ok = out && c;
    for (int i = 0; ok && i < c->nlines; ++i) {
        /* decide on the stripped text, as Darknet reads it */
        const char *probe = c->stripped[i];
        if (probe[0] == '[') {
            in_net = string_to_layer_type((char *)probe) == NETWORK;
            fputs(c->raw[i], out);
            if (in_net) fprintf(out, "\nbatch=%d\nsubdivisions=1\n", batch);
            continue;
        }
        if (in_net && (!strncmp(probe, "batch=", 6) || !strncmp(probe, "subdivisions=", 13))) continue;
        fputs(c->raw[i], out);
    }
    fxq_cfgtext_free(c);
    if (out) {
        if (ferror(out)) ok = 0;
        if (fclose(out)) ok = 0;
    } else {
        close(fd);
    }
    if (!ok) {
        snprintf(why, why_len, "%s: cannot write a temporary copy in %s", cfg, tmp);
        unlink(tmp);
    }
    return ok;
}

network *fxq_net_load(const char *cfg, const char *weights, int batch, char *why, size_t why_len)
{
    if (!fxq_cfg_check(cfg, why, why_len)) return NULL;
    char tmp[4096];
    const char *parse = cfg;
    if (batch > 0) {
        if (!fxq_cfg_with_batch(cfg, batch, tmp, sizeof tmp, why, why_len)) return NULL;
        parse = tmp;
    }
    network *net = parse_network_cfg((char *)parse);
    if (parse != cfg) unlink(tmp);
    if (!net) {
        snprintf(why, why_len, "%s: Darknet could not parse it", cfg);
        return NULL;
    }
    if (weights) {
        if (!fxq_weights_check(net, weights, why, why_len)) {
            free_network(net);
            return NULL;
        }
        load_weights(net, (char *)weights);
    }
    /* Upstream's make_batchnorm_layer never allocates l.x, which
     * forward_batchnorm_layer copies into even at inference: a standalone
     * [batchnorm] section segfaults Darknet's own forward. Give it one
     * (free_layer frees it). */
    for (int i = 0; i < net->n; ++i) {
        layer *l = &net->layers[i];
        if (l->type == BATCHNORM && !l->x && !(l->x = calloc((size_t)l->outputs * l->batch, sizeof(float)))) {
            snprintf(why, why_len, "%s: out of memory", cfg);
            free_network(net);
            return NULL;
        }
    }
    net->train = 0;
    return net;
}

network *fxq_net_load_quiet(const char *cfg, const char *weights, int batch, char *why, size_t why_len)
{
    fflush(stderr);
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    if (saved >= 0 && devnull >= 0) dup2(devnull, 2);
    network *net = fxq_net_load(cfg, weights, batch, why, why_len);
    fflush(stderr);
    if (saved >= 0 && devnull >= 0) dup2(saved, 2);
    if (saved >= 0) close(saved);
    if (devnull >= 0) close(devnull);
    return net;
}
