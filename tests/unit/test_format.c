/* The number system's reference functions (fxq_format.h), pinned by hand. */
#include "fxq_format.h"
#include "fxq_test.h"

int main(void)
{
    fxq_format q8_4 = {8, 4};
    FXQ_CHECK("quantize.round_half_away_pos", fxq_quantize_ref(0.03125f, q8_4) == 1, "0.5 LSB -> %d", fxq_quantize_ref(0.03125f, q8_4));
    FXQ_CHECK("quantize.round_half_away_neg", fxq_quantize_ref(-0.03125f, q8_4) == -1, "-0.5 LSB -> %d", fxq_quantize_ref(-0.03125f, q8_4));
    FXQ_CHECK("quantize.saturate_hi", fxq_quantize_ref(100.f, q8_4) == 127, "%d", fxq_quantize_ref(100.f, q8_4));
    FXQ_CHECK("quantize.saturate_lo", fxq_quantize_ref(-100.f, q8_4) == -128, "%d", fxq_quantize_ref(-100.f, q8_4));
    FXQ_CHECK("quantize.zero_exact", fxq_quantize_ref(0.f, q8_4) == 0, "zero");
    FXQ_CHECK("quantize.negative_frac", fxq_quantize_ref(6.f, (fxq_format){4, -2}) == 2, "6 at step 4 -> %d", fxq_quantize_ref(6.f, (fxq_format){4, -2}));
    FXQ_CHECK("rshift.half_away", fxq_rshift_round(6, 2) == 2 && fxq_rshift_round(-6, 2) == -2 && fxq_rshift_round(5, 2) == 1 && fxq_rshift_round(-5, 2) == -1,
              "6>>2=%lld -6>>2=%lld", (long long)fxq_rshift_round(6, 2), (long long)fxq_rshift_round(-6, 2));
    FXQ_CHECK("requant.right_sat", fxq_requant_ref(1 << 20, 4, 8) == 127, "sat");
    FXQ_CHECK("requant.left_exact", fxq_requant_ref(-3, -2, 8) == -12, "%lld", (long long)fxq_requant_ref(-3, -2, 8));
    FXQ_CHECK("requant.left_sat", fxq_requant_ref(-33, -2, 8) == -128 && fxq_requant_ref(32, -2, 8) == 127 && fxq_requant_ref(-32, -2, 8) == -128,
              "%lld", (long long)fxq_requant_ref(-33, -2, 8));
    FXQ_CHECK("requant.left_sat_minus_one", fxq_requant_ref(-1, -10, 8) == -128 && fxq_requant_ref(-1, -7, 8) == -128 &&
              fxq_requant_ref(-1, -6, 8) == -64 && fxq_requant_ref(1, -7, 8) == 127,
              "-1<<10 at 8 bits -> %lld", (long long)fxq_requant_ref(-1, -10, 8));
    FXQ_CHECK("act.leaky", fxq_act_ref(-100, FXQ_ACT_LEAKY) == -10 && fxq_act_ref(-15, FXQ_ACT_LEAKY) == -1 && fxq_act_ref(7, FXQ_ACT_LEAKY) == 7,
              "%lld %lld", (long long)fxq_act_ref(-100, FXQ_ACT_LEAKY), (long long)fxq_act_ref(-15, FXQ_ACT_LEAKY));
    FXQ_CHECK("act.relu", fxq_act_ref(-5, FXQ_ACT_RELU) == 0 && fxq_act_ref(5, FXQ_ACT_RELU) == 5, "relu");
    FXQ_TEST_END();
}
