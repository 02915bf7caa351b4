/* Integer codes between layers.
 *
 * Once a network is parsed (fxq_network_parsed, the parse_network_cfg hook)
 * every layer is classified:
 *   - a code layer has an output format: a fixed-point layer (its out
 *     format), or a [maxpool]/[avgpool]/[route]/[shortcut]/[upsample]/
 *     [reorg] that fxq_pipe.c supports whose producers are all code layers (format chosen from
 *     theirs, see fxq_pipe.c). It runs in int mode when its producers all
 *     do (a fixed layer: when it is in int mode itself) and then leaves int16
 *     codes for its consumers; otherwise in emulate mode, on floats with the
 *     same rounding (fxq_pipe_forward.c).
 *   - an int-mode consumer whose producers are int code layers reads their
 *     codes (converted by an exact shift when formats differ), never their
 *     floats;
 *   - a layer writes its float l.output only when something reads it: a
 *     float layer or an emulate-mode layer consuming it, the network output
 *     (the last layer and get_network_output_layer), a truth layer, or a
 *     tool that turned fxq_pipe_set_all_float on.
 * A network with a trainable fixed-point layer (fxq_layer_train.h), or any
 * network parsed with FXQ_PIPE=0 in the environment, keeps the float
 * hand-over everywhere. Layers without codes get no state
 * (l.fxq_pipe NULL) and run upstream's forward unchanged. */
#ifndef FXQ_PIPE_H
#define FXQ_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "darknet.h"
#include "fxq_pool.h"

enum { FXQ_PIPE_INT = 1, FXQ_PIPE_EMU = 2 };

struct fxq_pipe_net {
    int all_float; /* every layer reads and writes floats (tools) */
};

struct fxq_pipe {
    struct fxq_pipe_net *net; /* shared by the network's layers */
    int mode;                 /* FXQ_PIPE_INT / FXQ_PIPE_EMU */
    fxq_cfmt fmt;             /* the output codes' format */
    int nsrc, *src;           /* producer layers */
    int codes_in;             /* int mode reading the producers' codes */
    int need_float;           /* l.output is read by someone */
    int act;                  /* [shortcut]: FXQ_ACT_* on the output codes */
    int16_t *buf;             /* own output codes (not fixed layers) */
    size_t buf_cap;
    const int16_t *codes;     /* output codes of the last int forward */
    void (*upstream)(layer, network); /* the layer's own forward */
};

/* The forward installed on non-fixed code layers (fxq_pipe_forward.c). */
void fxq_pipe_forward(layer l, network net);

/* Inside one team for the whole network (fxq_team.h): fxq_pipe_team_ready
 * before the region (0 when the layer cannot run there: not int mode on
 * codes, batch > 1), then every thread calls fxq_pipe_forward_member; a
 * barrier must follow before its output is read. */
int fxq_pipe_team_ready(layer *l);
void fxq_pipe_forward_member(const layer *l, const network *net, int tid, int nth);

/* A [maxpool] or [avgpool] fused into its producer's team work
 * (fxq_team.c): each thread pools the blocks of the producer's output it
 * wrote itself, right after writing them, so the pool costs no barrier and
 * reads no codes the other core wrote. fxq_pipe_pool_fusable (after
 * fxq_pipe_team_ready) says whether pool layer l can run so on producer
 * layer src: its int-mode codes only, no float output, and a maxpool's
 * windows tile the input rows (size = stride, no offset, so output row r
 * reads rows r*stride .. r*stride + stride - 1 alone); it returns the row
 * alignment the producer's blocks need (the stride; an avgpool: the
 * plane's height, whole planes), or 0. fxq_pipe_pool_block pools the
 * block channels [c0, c1) x rows [y0, y1) of its input (y0 and y1
 * multiples of that alignment, or y1 = h) into its buffer; every output
 * comes from one block, and the caller sets l's codes pointer. */
int fxq_pipe_pool_fusable(const network *net, int l, int src);
/* 1 if layer `reader` is the only layer that reads layer src's output
 * (and no one reads its floats): a producer whose pool is fused into its
 * kernel then need not write its own output at all. */
int fxq_pipe_sole_reader(const network *net, int src, int reader);
void fxq_pipe_pool_block(const layer *l, const layer *src, const int16_t *in, int c0, int c1, int y0, int y1);

/* Tools that read layers' l.output other than the network's output, or
 * run one layer on an input of their own (stats, sqnr, the walker's
 * callbacks): on = every layer takes floats in and writes floats out, with
 * the same values as the integer hand-over. Returns the previous setting;
 * a network without code layers ignores it. */
int fxq_pipe_set_all_float(network *net, int on);

/* After a fixed layer's formats changed at run time (fxq quantize
 * --formats refine): the pass again, same all_float setting. */
void fxq_pipe_rebuild(network *net);

/* Codes of layer l's int-mode forward are to be read from its producers. */
static inline int fxq_pipe_reads_codes(const layer *l)
{
    return l->fxq_pipe && l->fxq_pipe->codes_in && !l->fxq_pipe->net->all_float;
}
/* l.output must be written. */
static inline int fxq_pipe_writes_float(const layer *l)
{
    return !l->fxq_pipe || l->fxq_pipe->need_float || l->fxq_pipe->net->all_float;
}

/* Producer `src`'s last output codes in format `want`: its own buffer when
 * the formats agree, else converted into scratch (n codes). */
const int16_t *fxq_pipe_source_codes(const network *net, int src, fxq_cfmt want, int16_t *scratch, size_t n);

/* (Re)sizes a code buffer to n codes; exits on out of memory. */
int16_t *fxq_pipe_reserve(int16_t **buf, size_t *cap, size_t n);

#endif
