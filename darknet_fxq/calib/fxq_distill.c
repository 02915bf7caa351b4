/* Distillation targets and training step (fxq_distill.h). */
#include <math.h>
#include <string.h>

#include "fxq_distill.h"

static int fxq_last_is_softmax(const network *net)
{
    return net->n > 0 && net->layers[net->n - 1].type == SOFTMAX;
}

int fxq_distill_check(const network *student, const network *teacher, const char *teacher_cfg,
                      const char *student_cfg, char *why, size_t why_len)
{
    if (!fxq_last_is_softmax(teacher)) {
        snprintf(why, why_len, "%s: the teacher must end in a [softmax] layer (its outputs are the targets)",
                 teacher_cfg);
        return 0;
    }
    if (!fxq_last_is_softmax(student)) {
        snprintf(why, why_len, "%s: --distill needs the network to end in a [softmax] layer", student_cfg);
        return 0;
    }
    if (teacher->outputs != student->truths || teacher->outputs != student->outputs) {
        snprintf(why, why_len, "%s: the teacher has %d outputs per image, %s has %d", teacher_cfg, teacher->outputs,
                 student_cfg, student->outputs);
        return 0;
    }
    if (teacher->inputs != student->inputs || teacher->w != student->w || teacher->h != student->h) {
        snprintf(why, why_len, "%s: the teacher reads %dx%dx%d images, %s %dx%dx%d", teacher_cfg, teacher->w,
                 teacher->h, teacher->c, student_cfg, student->w, student->h, student->c);
        return 0;
    }
    return 1;
}

void fxq_distill_set_temperature(network *net, float t)
{
    for (int i = 0; i < net->n; ++i)
        if (net->layers[i].type == SOFTMAX) net->layers[i].temperature = t;
}

float fxq_distill_train(network *net, network *teacher, data d, float t)
{
    const int batch = net->batch, n = d.X.rows / batch;
    const size_t nt = (size_t)batch * net->truths;
    float sum = 0;
    for (int i = 0; i < n; ++i) {
        get_next_batch(d, batch, i * batch, net->input, net->truth);
        const float *p = network_predict(teacher, net->input);
        memcpy(net->truth, p, nt * sizeof *p);
        /* train_network_datum, with the softmax delta scaled between forward and backward */
        *net->seen += net->batch;
        net->train = 1;
        forward_network(net);
        if (t != 1) {
            layer *l = &net->layers[net->n - 1];
            for (size_t k = 0; k < (size_t)l->batch * l->inputs; ++k) l->delta[k] *= t;
        }
        backward_network(net);
        /* Darknet's cost sums -log p over every class with a non-zero truth,
         * which with soft targets is not a loss: KL(teacher || student) instead */
        const layer *l = &net->layers[net->n - 1];
        double kl = 0;
        for (size_t k = 0; k < nt; ++k) {
            const double q = net->truth[k], p = l->output[k] > 1e-30f ? l->output[k] : 1e-30;
            if (q > 0) kl += q * (log(q) - log(p));
        }
        sum += (float)kl;
        if (((*net->seen) / net->batch) % net->subdivisions == 0) update_network(net);
    }
    return sum / ((float)n * batch);
}
