/* The parse_network_cfg hook (see fxq_cfghook.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cfgcheck.h"
#include "fxq_cfghook.h"
#include "option_list.h"
#include "parser.h"

list *read_cfg(char *filename); /* parser.c, not in a header */

/* parser.c's private `section` (its layout, which read_cfg fills). */
typedef struct {
    char *type;
    list *options;
} fxq_section;

static _Thread_local int fxq_batch_override;

void fxq_cfg_set_batch(int batch)
{
    fxq_batch_override = batch > 0 ? batch : 0;
}

/* Every `key` entry of [net] takes `val`; inserted when absent. The strings
 * are owned by the list only through kvp->key (free_section frees key, the
 * value lives in the same allocation), so the new ones are allocated as one
 * "key\0val" block like read_option's. */
static void fxq_set_option(list *options, const char *key, const char *val)
{
    int found = 0;
    for (node *n = options->front; n; n = n->next) {
        kvp *p = (kvp *)n->val;
        if (strcmp(p->key, key)) continue;
        found = 1;
        const size_t kl = strlen(key), vl = strlen(val);
        char *block = malloc(kl + vl + 2);
        if (!block) continue;
        memcpy(block, key, kl + 1);
        memcpy(block + kl + 1, val, vl + 1);
        free(p->key);
        p->key = block;
        p->val = block + kl + 1;
    }
    if (!found) {
        char line[64];
        snprintf(line, sizeof line, "%s=%s", key, val);
        char *copy = strdup(line);
        if (copy && !read_option(copy, options)) free(copy);
    }
}

list *fxq_read_cfg(char *filename)
{
    char why[1024];
    if (!fxq_cfgcheck_file(filename, why, sizeof why)) {
        fprintf(stderr, "%s\n", why);
        exit(1);
    }
    list *sections = read_cfg(filename);
    if (fxq_batch_override && sections->front) {
        fxq_section *net = (fxq_section *)sections->front->val;
        char v[16];
        snprintf(v, sizeof v, "%d", fxq_batch_override);
        fxq_set_option(net->options, "batch", v);
        fxq_set_option(net->options, "subdivisions", "1");
    }
    return sections;
}
