/* PLACEHOLDER until the fixed-point layers land. */
#include <stdlib.h>
#include "fxq_hooks.h"

void fxq_attach_layer(layer *l, LAYER_TYPE type, list *options, const char *cfgfile, int index)
{
    (void)l; (void)type; (void)options;
    fprintf(stderr, "%s: layer %d: fixed-point layers not implemented yet\n", cfgfile, index);
    exit(1);
}
void fxq_load_weights(layer *l, FILE *fp, const char *weightfile, int index, int transpose)
{
    (void)l; (void)fp; (void)weightfile; (void)index; (void)transpose;
}
void fxq_save_weights(layer *l, FILE *fp) { (void)l; (void)fp; }
