/* One OpenMP team for a whole network forward.
 *
 * Per-layer parallel regions cost a fork/join each (and the team's
 * wake-up), which on small networks and single images outweighs the
 * layers' own work. When every layer of a batch-1 network can run inside
 * one team -- fixed-point layers and code layers in int mode
 * (fxq_layer_forward_member, fxq_pipe_forward_member), yolo layers
 * (shared out by elements) and cheap float layers (softmax, cost, region,
 * detection, dropout: run by thread 0)
 * -- the forward opens one parallel region, each layer splits its work over
 * the threads, and a barrier separates the layers. The results are the
 * same codes as the per-layer path (every split is over independent
 * outputs). A small network runs the same way on thread 0 alone.
 * Otherwise the caller's own layer loop runs. FXQ_TEAM=0 in the
 * environment turns it off (for comparisons). */
#ifndef FXQ_TEAM_H
#define FXQ_TEAM_H

#include "darknet.h"

/* Runs net's forward in one team and returns 1, or returns 0 (nothing run)
 * when the network cannot. t: NULL, or net->n per-layer seconds (each
 * layer up to its closing barrier, stamped by thread 0). */
int fxq_net_forward_team(network *net, double *t);

/* Networks with fewer multiply-accumulates per image than this run on one
 * thread (default: the active kernel set's team_min_macs, below which the
 * barriers cost more than a second thread saves). For tests, which run
 * small networks on the full team. */
void fxq_team_set_min_macs(double macs);

#endif
