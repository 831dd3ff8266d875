/* Prints sizeof/offsetof of every struct in parley.h; the C# tests compare them with
 * Marshal.SizeOf/OffsetOf so that a drift between header and bindings fails loudly. */
#include <parley.h>
#include <stddef.h>
#include <stdio.h>

#define SIZE(T) printf("%s %zu\n", #T, sizeof(T))
#define OFF(T, f) printf("%s.%s %zu\n", #T, #f, offsetof(T, f))

int main(void) {
    SIZE(parley_init_params); OFF(parley_init_params, config); OFF(parley_init_params, python_home);
    SIZE(parley_voice); OFF(parley_voice, id);
    SIZE(parley_voice_params); OFF(parley_voice_params, sample_rate); OFF(parley_voice_params, channels);
    OFF(parley_voice_params, buffer_ms); OFF(parley_voice_params, persona); OFF(parley_voice_params, tts_voice);
    SIZE(parley_event); OFF(parley_event, type); OFF(parley_event, turn); OFF(parley_event, frame);
    OFF(parley_event, t_us); OFF(parley_event, text);
    return 0;
}
