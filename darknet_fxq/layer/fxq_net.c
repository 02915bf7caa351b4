/* Checked loading of cfg + .weights (see fxq_net.h for why). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fxq_cfgcheck.h"
#include "fxq_cfghook.h"
#include "fxq_cfgtext.h"
#include "fxq_fxw.h"
#include "fxq_mute.h"
#include "fxq_net.h"

/* parser.c's section-name table (not in any header). */
LAYER_TYPE string_to_layer_type(char *type);

int fxq_cfg_check(const char *cfg, char *why, size_t why_len)
{
    return fxq_cfgcheck_file(cfg, why, why_len);
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
    /* upstream's test, (major*10 + minor) >= 2 && both < 1000, without its
     * signed overflow on a hostile header: 64-bit arithmetic */
    const long long version = (long long)major * 10 + minor;
    bytes += (version >= 2 && major < 1000 && minor < 1000) ? sizeof(size_t) : sizeof(int);
    for (int i = 0; i < net->n; ++i) {
        const layer *l = &net->layers[i];
        if (!l->dontload) bytes += fxq_layer_weight_floats(l) * sizeof(float);
        if (layer_end) layer_end[i] = bytes;
    }
    return bytes;
}

int fxq_fxw_name_check(const char *path, char *why, size_t why_len)
{
    const size_t n = strlen(path);
    if (n < 4 || strcmp(path + n - 4, ".fxw")) return 1;
    snprintf(why, why_len, "%s: not a .fxw file (it does not start with the FXQW magic)", path);
    return 0;
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
    } else if (!fxq_is_fxw(f) && !fxq_fxw_name_check(weights, why, why_len)) {
        /* why names the file */
    } else if (fread(hdr, sizeof(int), 3, f) != 3) {
        snprintf(why, why_len, "%s: too short for a .weights header (%lld bytes)", weights, (long long)st.st_size);
    } else if (hdr[0] < 0 || hdr[0] >= 1000 || hdr[1] < 0 || hdr[1] >= 1000) {
        /* upstream only ever writes 0.1.0 / 0.2.0 (1000 is its own limit) */
        snprintf(why, why_len, "%s: version %d.%d.%d in its header: not a Darknet .weights file", weights, hdr[0],
                 hdr[1], hdr[2]);
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
            } else if ((size_t)st.st_size > need) {
                /* Darknet would load the first `need` bytes and ignore the
                 * rest: weights of another cfg (a grouped vs. an ungrouped
                 * convolution, say) that become NaN only after folding */
                snprintf(why, why_len, "%s: %lld bytes, the cfg needs exactly %zu: weights of another network?",
                         weights, (long long)st.st_size, need);
            } else {
                const size_t header = fxq_weights_bytes(&(network){.n = 0}, hdr[0], hdr[1], NULL);
                ok = fxq_weights_finite(f, weights, end, net->n, header, why, why_len);
            }
            free(end);
        }
    }
    fclose(f);
    return ok;
}

network *fxq_net_load(const char *cfg, const char *weights, int batch, char *why, size_t why_len)
{
    if (!fxq_cfg_check(cfg, why, why_len)) return NULL;
    /* the batch goes in through the parser hook: no modified copy of the
     * user's cfg on disk, and every message names the user's file */
    fxq_cfg_set_batch(batch);
    network *net = parse_network_cfg((char *)cfg);
    fxq_cfg_set_batch(0);
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
    fxq_mute m;
    fxq_mute_begin(&m, stderr);
    network *net = fxq_net_load(cfg, weights, batch, why, why_len);
    fxq_mute_end(&m);
    return net;
}

void fxq_net_save_quiet(network *net, const char *path)
{
    fxq_mute m;
    fxq_mute_begin(&m, stderr);
    save_weights(net, (char *)path);
    fxq_mute_end(&m);
}
