/* The cfg hooks in upstream parser.c (patches/0005-parser-cfg-validate.patch):
 * every parse_network_cfg — upstream commands and fxq verbs alike — reads the
 * cfg through fxq_read_cfg. */
#ifndef FXQ_CFGHOOK_H
#define FXQ_CFGHOOK_H

#include "darknet.h"
#include "list.h"
#include "fxq_cfgcheck.h" /* fxq_cfg_clean_line, the read_cfg hook */

/* Validates `filename` (fxq_cfgcheck.h): a bad cfg exits(1) with one line
 * naming the file and line, before upstream's parser can crash on it. Then
 * upstream's read_cfg, then the batch override below. */
list *fxq_read_cfg(char *filename);

/* For the next fxq_read_cfg calls on this thread: [net] batch=`batch` and
 * subdivisions=1 (0 = the cfg's own). Buffers are then sized for `batch`
 * without writing a modified copy of the user's cfg anywhere. */
void fxq_cfg_set_batch(int batch);

#endif
