/* Loading a float Darknet network for the fxq verbs without Darknet's fatal
 * paths: its error()/file_error() abort or exit(0) on a bad cfg, a missing
 * file or a short .weights. Here every such input is checked first and
 * reported as "NULL + why" (a one-line reason naming the file). */
#ifndef FXQ_NET_H
#define FXQ_NET_H

#include <stddef.h>

#include "darknet.h"

/* fxq_cfgcheck_file (fxq_cfgcheck.h): sections, keys, values and shapes
 * checked as Darknet's parser would meet them. 0 + "file:line: why". */
int fxq_cfg_check(const char *cfg, char *why, size_t why_len);

/* fxq_cfgtext_read (quant/fxq_cfgtext.h) plus: every section type after
 * [net] is one Darknet's parser knows (upstream's string_to_layer_type). */
struct fxq_cfgtext *fxq_cfg_read_text(const char *cfg, char *why, size_t why_len);

/* Floats of layer l's record in a .weights file (what upstream's
 * load_*_weights read for it; 0 for layers without weights). The one place
 * that knows the record sizes. */
size_t fxq_layer_weight_floats(const layer *l);

/* Bytes a .weights file needs for net's layers, given its header's version
 * (major, minor); layer_end[i] (optional, net->n entries) receives the offset
 * at which layer i's record ends. */
size_t fxq_weights_bytes(const network *net, int major, int minor, size_t *layer_end);

/* 0 + why when `path` is named *.fxw: called once the file has shown it
 * does not start with the .fxw magic (read as .weights it would be garbage). */
int fxq_fxw_name_check(const char *path, char *why, size_t why_len);

/* Checks that `weights` is readable and long enough for net. 0 + why
 * (naming the file and the first layer it cannot fill) otherwise. */
int fxq_weights_check(const network *net, const char *weights, char *why, size_t why_len);

/* fxq_weights_scan.c: the floats of layers 0..n-1 (ending at layer_end[i],
 * starting after `header` bytes) are finite and |x| <= 1e15. 0 + why naming
 * the file and layer otherwise. Called by fxq_weights_check. */
int fxq_weights_finite(FILE *f, const char *path, const size_t *layer_end, int n, size_t header, char *why,
                       size_t why_len);

/* cfg (+ weights when not NULL), validated, parsed for `batch` images per
 * forward pass (batch <= 0: the cfg's own batch; otherwise [net] batch/subdivisions
 * are replaced as the parser reads them, so buffers are sized for it), inference mode.
 * NULL + why on failure. Darknet still prints its layer table on stderr. */
network *fxq_net_load(const char *cfg, const char *weights, int batch, char *why, size_t why_len);
/* The same with Darknet's layer table kept off stderr: for replicas of a
 * network already loaded (and reported) once, and for a command's -q. */
network *fxq_net_load_quiet(const char *cfg, const char *weights, int batch, char *why, size_t why_len);
/* Darknet's save_weights without its "Saving weights to" line. */
void fxq_net_save_quiet(network *net, const char *path);

#endif
