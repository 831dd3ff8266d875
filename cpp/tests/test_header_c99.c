/* parley.h must compile as strict C99 and its defaults must be sane without any Python. */
#include <parley.h>
#include <stdio.h>

int main(void) {
    parley_init_params ip = parley_default_init_params();
    parley_voice_params vp = parley_default_voice_params();
    parley_voice never = {12345u};
    float buf[16];
    parley_event ev;
    if (parley_api_version() != PARLEY_API_VERSION) return 1;
    if (ip.config != NULL || ip.python_home != NULL) return 2;
    if (vp.sample_rate != 48000 || vp.channels != 2) return 3;
    /* Before init every call refuses cleanly. */
    if (parley_pull(never, buf, 8) != PARLEY_ERROR_NOT_INITIALIZED) return 4;
    if (parley_poll_event(never, &ev) != PARLEY_ERROR_NOT_INITIALIZED) return 5;
    if (parley_turn_start(never, "hi", NULL) != PARLEY_ERROR_NOT_INITIALIZED) return 6;
    if (parley_last_error()[0] == '\0') return 7;
    parley_shutdown(); /* before init: harmless */
    puts("header compiles as C99; calls before init are refused");
    return 0;
}
