/* The environment switches (fxq_env.h): "0" and "1" mean off and on for
 * every switch whatever its default, anything else is the default, and a
 * cache keeps the first answer. */
#include <stdlib.h>

#include "fxq_env.h"
#include "fxq_test.h"

int main(void)
{
    static const struct {
        const char *value; /* NULL: unset */
        int on_default_on, on_default_off;
    } cases[] = {{NULL, 1, 0}, {"0", 0, 0}, {"1", 1, 1}, {"", 1, 0}, {"yes", 1, 0}, {"00", 1, 0}};
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        if (cases[i].value) setenv("FXQ_TEST_SWITCH", cases[i].value, 1);
        else unsetenv("FXQ_TEST_SWITCH");
        bad += fxq_env_switch("FXQ_TEST_SWITCH", 1, NULL) != cases[i].on_default_on;
        bad += fxq_env_switch("FXQ_TEST_SWITCH", 0, NULL) != cases[i].on_default_off;
    }
    FXQ_CHECK("env.values", bad == 0, "%d answers differ", bad);

    int cache = -1;
    setenv("FXQ_TEST_SWITCH", "0", 1);
    const int first = fxq_env_switch("FXQ_TEST_SWITCH", 1, &cache);
    setenv("FXQ_TEST_SWITCH", "1", 1);
    FXQ_CHECK("env.cached", first == 0 && cache == 0 && fxq_env_switch("FXQ_TEST_SWITCH", 1, &cache) == 0,
              "first %d, cache %d", first, cache);
    FXQ_TEST_END();
}
