/* Entry points of the `darknet fxq` verbs. argv[0] is the verb itself;
 * each returns the exit status (0 ok, 1 failure, 2 usage error). */
#ifndef FXQ_CMD_H
#define FXQ_CMD_H

int fxq_cmd_stats(int argc, char **argv);
int fxq_cmd_stepsizes(int argc, char **argv);
int fxq_cmd_quantize(int argc, char **argv);
int fxq_cmd_valid(int argc, char **argv);
int fxq_cmd_map(int argc, char **argv);
int fxq_cmd_sqnr(int argc, char **argv);
int fxq_cmd_sweep(int argc, char **argv);
int fxq_cmd_info(int argc, char **argv);
int fxq_cmd_bench(int argc, char **argv);
int fxq_cmd_finetune(int argc, char **argv);

#endif
