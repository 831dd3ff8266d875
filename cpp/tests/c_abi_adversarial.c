/* Adversarial use of the C ABI from a plain C host (no Python in the host process), as a buggy
 * game might call it. Every case checks the exact status and that the next valid call works.
 * Runs against the installed library (pytest) and under ASan+UBSan (scripts/test.sh). */
#define _POSIX_C_SOURCE 199309L
#include <parley.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cases = 0, failures = 0;
#define EXPECT(cond)                                                                       \
    do {                                                                                   \
        ++cases;                                                                           \
        if (!(cond)) {                                                                     \
            ++failures;                                                                    \
            fprintf(stderr, "%s:%d: FAILED %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
                    parley_last_error());                                                  \
        }                                                                                  \
    } while (0)

static void sleep_ms(int ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* Pull and poll until an event of `type` arrives (or 30 s pass). Returns 1 if seen. */
static int wait_event(parley_voice v, int type) {
    static float buf[4800 * 2];
    parley_event ev;
    int i;
    for (i = 0; i < 6000; ++i) {
        parley_pull(v, buf, 4800);
        while (parley_poll_event(v, &ev) == 1)
            if (ev.type == type) return 1;
        sleep_ms(5);
    }
    return 0;
}

static parley_voice g_shared;
static volatile int g_stop;
static long g_frames[2], g_busy[2], g_other[2];
static void *puller(void *arg) {
    long id = (long)arg;
    float buf[64 * 2];
    while (!g_stop) {
        int32_t n = parley_pull(g_shared, buf, 64);
        if (n >= 0) g_frames[id] += n;
        else if (n == PARLEY_ERROR_BUSY) g_busy[id]++;
        else g_other[id]++;
    }
    return NULL;
}

int main(void) {
    parley_init_params ip = parley_default_init_params();
    parley_voice_params vp = parley_default_voice_params();
    parley_voice v, stale, zero = {0}, forged = {0x7FFF0003u};
    parley_event ev;
    float buf[256];
    uint64_t turn = 0;
    int64_t before;
    char *huge;
    pthread_t threads[2];
    const char *config = getenv("PARLEY_TEST_CONFIG");

    ip.python_home = getenv("PARLEY_PYTHON_HOME");
    ip.config = config;
    /* before init */
    EXPECT(parley_voice_create(&vp, &v) == PARLEY_ERROR_NOT_INITIALIZED);
    EXPECT(parley_pull(zero, buf, 8) == PARLEY_ERROR_NOT_INITIALIZED);
    parley_shutdown();
    EXPECT(parley_init(&ip) == PARLEY_OK);
    EXPECT(parley_init(&ip) == PARLEY_ERROR_ALREADY_INITIALIZED);

    /* NULL for every pointer argument */
    EXPECT(parley_voice_create(&vp, NULL) == PARLEY_ERROR_INVALID_ARGUMENT);
    EXPECT(parley_voice_create(NULL, &v) == PARLEY_OK); /* NULL params = defaults */
    EXPECT(parley_voice_get_params(v, NULL) == PARLEY_ERROR_INVALID_ARGUMENT);
    EXPECT(parley_turn_start(v, NULL, &turn) == PARLEY_ERROR_INVALID_ARGUMENT);
    EXPECT(parley_speak(v, NULL, &turn) == PARLEY_ERROR_INVALID_ARGUMENT);
    EXPECT(parley_pull(v, NULL, 16) == PARLEY_ERROR_INVALID_ARGUMENT);
    EXPECT(parley_poll_event(v, NULL) == PARLEY_ERROR_INVALID_ARGUMENT);
    EXPECT(parley_speak(v, "A valid line after all that.", NULL) == PARLEY_OK); /* out_turn NULL is fine */
    EXPECT(wait_event(v, PARLEY_EVENT_TURN_DONE));

    /* text */
    EXPECT(parley_speak(v, "", &turn) == PARLEY_ERROR_INVALID_ARGUMENT);
    EXPECT(parley_speak(v, "\xff\xfe\xfd", &turn) == PARLEY_ERROR_INVALID_ARGUMENT);
    EXPECT(parley_turn_start(v, "caf\xc3", &turn) == PARLEY_ERROR_INVALID_ARGUMENT); /* truncated sequence */
    EXPECT(parley_speak(v, "\xf4\x90\x80\x80", &turn) == PARLEY_ERROR_INVALID_ARGUMENT); /* above U+10FFFF */
    huge = malloc((1u << 20) + 2);
    memset(huge, 'a', (1u << 20) + 1);
    huge[(1u << 20) + 1] = '\0';
    EXPECT(parley_speak(v, huge, &turn) == PARLEY_ERROR_INVALID_ARGUMENT);
    huge[1u << 19] = '\0';
    EXPECT(parley_speak(v, huge, &turn) == PARLEY_ERROR_INVALID_ARGUMENT); /* 512 KiB: over the line limit */
    free(huge);
    EXPECT(parley_speak(v, "Emoji \xf0\x9f\x90\x89 and \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d, fine.", &turn) == PARLEY_OK);
    EXPECT(wait_event(v, PARLEY_EVENT_TURN_DONE));

    /* frame counts */
    EXPECT(parley_pull(v, buf, 0) == 0);
    EXPECT(parley_pull(v, buf, -5) == PARLEY_ERROR_INVALID_ARGUMENT);
    EXPECT(parley_pull(v, buf, 1000000000) == 0); /* nothing queued: nothing written */

    /* cancel */
    EXPECT(parley_turn_cancel(v) == PARLEY_OK); /* nothing to cancel */
    EXPECT(parley_speak(v, "This sentence is cut off, right in the middle of its second clause.", &turn) == PARLEY_OK);
    EXPECT(wait_event(v, PARLEY_EVENT_AUDIO_STARTED));
    EXPECT(parley_turn_cancel(v) == PARLEY_OK);
    EXPECT(parley_pull(v, buf, 100) == 0); /* not one stale frame */
    EXPECT(wait_event(v, PARLEY_EVENT_CANCELLED));

    /* two threads pulling one voice: refused with BUSY, never corrupt */
    g_shared = v;
    before = parley_voice_position(v); /* includes the cancelled turn's dropped frames */
    EXPECT(parley_speak(v, "Two readers, one stream, and a long line for both of them to fight over.", &turn) == PARLEY_OK);
    EXPECT(pthread_create(&threads[0], NULL, puller, (void *)0L) == 0);
    EXPECT(pthread_create(&threads[1], NULL, puller, (void *)1L) == 0);
    sleep_ms(1500);
    g_stop = 1;
    pthread_join(threads[0], NULL);
    pthread_join(threads[1], NULL);
    EXPECT(g_other[0] == 0 && g_other[1] == 0);
    EXPECT(g_frames[0] + g_frames[1] == parley_voice_position(v) - before); /* each frame went to one reader */
    EXPECT(g_frames[0] + g_frames[1] > 0);

    /* handles */
    stale = v;
    EXPECT(parley_voice_destroy(v) == PARLEY_OK);
    EXPECT(parley_voice_destroy(stale) == PARLEY_ERROR_INVALID_HANDLE);
    EXPECT(parley_speak(stale, "hi", &turn) == PARLEY_ERROR_INVALID_HANDLE);
    EXPECT(parley_pull(stale, buf, 8) == PARLEY_ERROR_INVALID_HANDLE);
    EXPECT(parley_poll_event(stale, &ev) == PARLEY_ERROR_INVALID_HANDLE);
    EXPECT(parley_turn_cancel(zero) == PARLEY_ERROR_INVALID_HANDLE);
    EXPECT(parley_pull(forged, buf, 8) == PARLEY_ERROR_INVALID_HANDLE);
    EXPECT(parley_voice_create(&vp, &v) == PARLEY_OK && v.id != stale.id);

    /* lifecycle */
    parley_shutdown();
    parley_shutdown();
    EXPECT(parley_pull(v, buf, 8) == PARLEY_ERROR_NOT_INITIALIZED);
    EXPECT(parley_init(&ip) == PARLEY_OK);
    EXPECT(parley_pull(v, buf, 8) == PARLEY_ERROR_INVALID_HANDLE); /* a voice from before the shutdown */
    EXPECT(parley_voice_create(&vp, &v) == PARLEY_OK);
    EXPECT(parley_turn_start(v, "Are you still there?", &turn) == PARLEY_OK);
    EXPECT(wait_event(v, PARLEY_EVENT_TURN_DONE));
    parley_shutdown();

    printf("%d passed, %d failed\n", cases - failures, failures);
    return failures ? 1 : 0;
}
