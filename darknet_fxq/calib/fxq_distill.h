/* Knowledge distillation for `fxq finetune --distill`: the training targets
 * are a float teacher's softmax outputs on the very batch (augmentation
 * included) the fixed-point student trains on, instead of one-hot labels.
 * The student then learns to agree with the float network, which is what
 * quantization should preserve, rather than to re-fit the labels. */
#ifndef FXQ_DISTILL_H
#define FXQ_DISTILL_H

#include <stddef.h>

#include "darknet.h"

/* 0 + why (naming teacher_cfg) unless the teacher gives one probability
 * vector per image of the student's truth size, ends in a [softmax], and
 * both read the same input size. */
int fxq_distill_check(const network *student, const network *teacher, const char *teacher_cfg,
                      const char *student_cfg, char *why, size_t why_len);

/* Sets the temperature of every [softmax] layer of `net` (1 = plain). */
void fxq_distill_set_temperature(network *net, float t);

/* One call per loaded batch, as train_network(net, d): for each sub-batch
 * the teacher's softmax (at temperature t, as the student's) becomes
 * net->truth, then forward, backward and (every subdivisions) update. With
 * t != 1 the softmax delta is multiplied by t: Darknet's delta is
 * truth - output with respect to the logits / t, so that is the usual
 * t^2-scaled gradient of the cross-entropy at temperature t. Returns the
 * mean KL divergence of the student's softmax from the teacher's per image
 * (at temperature t; 0 when they are equal). */
float fxq_distill_train(network *net, network *teacher, data d, float t);

#endif
