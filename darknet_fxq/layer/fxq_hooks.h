/* The only darknet-fxq symbols Darknet's own (patched) files call.
 * See the files in patches/ for where each hook sits. */
#ifndef FXQ_HOOKS_H
#define FXQ_HOOKS_H

#include <stdio.h>
#include "darknet.h"

/* `./darknet fxq <verb> ...`; returns the process exit status. */
int run_fxq(int argc, char **argv);

/* Called first by main with the command line: a training command other
 * than `classifier train` (and `detector train`) that then parses a cfg with
 * fixed-point layers exits(1) naming the cfg, the layer and the command
 * (fxq_trainers.c). */
void fxq_command_line(int argc, char **argv);

/* Training mode (fxq_layer_train.h): fixed-point layers parsed while it is on
 * keep float master weights and train inside their formats. `classifier
 * train` and `detector train` turn it on before loading their networks. */
void fxq_set_training(int on);

/* Called right after upstream's parse_convolutional/parse_connected built `l`
 * from the same section: reads the Q-format keys, validates them and turns `l`
 * into an FXCONVOLUTIONAL/FXCONNECTED layer. Bad keys exit(1) with a one-line
 * message naming `cfgfile` and the layer index. */
void fxq_attach_layer(layer *l, LAYER_TYPE type, list *options, const char *cfgfile, int index);

/* Reads the layer's float record from an upstream .weights stream (exactly
 * what load_convolutional_weights/load_connected_weights read), folds batch
 * norm, quantizes to the layer's formats and packs for the kernels. A short
 * file exits(1) naming `weightfile` and the layer. */
void fxq_load_weights(layer *l, FILE *fp, const char *weightfile, int index, int transpose);

/* Writes an upstream-compatible float record (dequantized, batch norm folded:
 * scales=1, mean=0, sqrt(variance)=1-eps, Darknet's identity). */
void fxq_save_weights(layer *l, FILE *fp);

/* Called by load_weights_upto when the file starts with the .fxw magic
 * (fxq_fxw.h): loads layers start..cutoff-1 from it instead of the float
 * records and leaves `fp` for the caller to close. A corrupt, truncated or
 * mismatched file exits(1) with a one-line message naming the file and layer. */
int fxq_is_fxw(FILE *fp);
void fxq_load_fxw(network *net, FILE *fp, const char *filename, int start, int cutoff);

/* Called by load_weights_upto before it reads a .weights file (not .fxw):
 * a file named *.fxw without the magic, a header version no Darknet wrote
 * and, for a network with fixed-point layers loaded whole, anything the
 * fxq verbs refuse (wrong size, NaN/Inf/absurd floats: fxq_weights_check;
 * in training mode a shorter file, a pretrained backbone, is allowed)
 * exit(1) with one line naming the file. `fp` keeps its position. */
void fxq_weights_load_check(network *net, FILE *fp, const char *filename, int start, int cutoff);

/* Called by `classifier train` and `detector train` with their train list's
 * n paths: an empty list (upstream divided by its size), a blank line or an
 * image that does not exist (upstream's loader thread would meet it at
 * random, hours into training) exits(1) with one line naming the data
 * file, or the list and line. */
void fxq_train_list_check(const char *datacfg, const char *train_list, char **paths, int n);
/* The same checks without exiting (fxq finetune): 0 + why. */
int fxq_train_list_ok(const char *datacfg, const char *train_list, char **paths, int n, char *why, size_t why_len);

/* Called at the end of parse_network_cfg: decides which layers pass int16
 * codes to their consumers instead of float l.output (fxq_pipe.h). */
void fxq_network_parsed(network *net);

/* Called first by resize_network: 0 = no fixed-point layer, upstream resizes;
 * 1 = it has some and w x h is already its size (nothing to do). Any other
 * size exits(1) with a one-line message naming the cfg and layer. */
int fxq_network_resize(network *net, int w, int h);

/* Called at the top of forward_network: runs the whole forward in one
 * OpenMP team when every layer can (fxq_team.h) and returns 1; else 0 and
 * upstream's loop runs. */
int fxq_forward_network(network *net);

#endif
