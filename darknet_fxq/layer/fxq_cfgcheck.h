/* Validation of a Darknet network cfg before Darknet's parser sees it.
 *
 * Upstream's parse_network_cfg trusts its input: an out-of-range route index
 * reads past net->layers, stride=0 divides by zero, a typo'd key is ignored
 * (the layer silently takes the default), a CRLF file dereferences NULL. This
 * checker reads the file the way read_cfg does (whitespace stripped, '#' and
 * ';' comments; a UTF-8 BOM and CR line ends accepted), checks every section
 * and key against the keys its parse_* function reads, every value's type and
 * range, and tracks h/w/c/outputs through the network as the parser would so
 * that every layer gets positive sizes that fit in an int.
 *
 * Self-contained (no darknet.h): the fuzzer links this file alone. */
#ifndef FXQ_CFGCHECK_H
#define FXQ_CFGCHECK_H

#include <stddef.h>

/* 1 if `text` (len bytes, the content of the file `name`) is a cfg Darknet
 * parses safely; 0 + why = "name:line: what" naming the user's file. */
int fxq_cfgcheck_text(const char *name, const char *text, size_t len, char *why, size_t why_len);

/* Reads `path` (at most 16 MiB) and checks it as above. */
int fxq_cfgcheck_file(const char *path, char *why, size_t why_len);

/* Messages about the file `path` name `shown` instead (NULL: forget it):
 * for a temporary cfg derived line for line from the user's (the float twin
 * `fxq finetune` evaluates), so the user reads their own file and line. One
 * alias at a time. */
void fxq_cfgcheck_alias(const char *path, const char *shown);

/* In place: drops a leading UTF-8 BOM and every '\r' from one line (the
 * read_cfg hook, so CRLF files parse as their LF twins). */
void fxq_cfg_clean_line(char *line);

#endif
