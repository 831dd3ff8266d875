/* Pull timing and cancel latency, measured where a game measures them: in a plain C host.
 *
 * Four voices keep answering the player (LLM + TTS busy on both cores) while one real-time audio
 * thread pulls 10 ms from each voice every 10 ms and times every parley_pull call. Every few
 * seconds voice 0 is cancelled mid-speech; the audio thread records when voice 0 last returned
 * audio, so we get the time from parley_turn_cancel to the old turn's last frame leaving
 * parley_pull, and count any frame returned after the cancel (stale frames: must be 0).
 * Prints one JSON object.
 *
 *   pull_timing [seconds]
 */
#define _POSIX_C_SOURCE 200112L
#include <parley.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VOICES 4
#define RATE 48000
#define BLOCK 480
#define MAX_SAMPLES 400000

static parley_voice voices[VOICES];
static atomic_int stop;
static atomic_llong last_audio_ns[VOICES];
static atomic_llong stale_frames;
static atomic_llong cancel_ns; /* 0 = no cancel window open */
static double samples_us[MAX_SAMPLES];
static long n_samples;
static long underrun_pulls;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long t) {
    struct timespec ts;
    ts.tv_sec = t / 1000000000LL;
    ts.tv_nsec = t % 1000000000LL;
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void *audio_thread(void *arg) {
    static float buf[BLOCK * 2];
    long long next = now_ns();
    int v;
    (void)arg;
    while (!atomic_load(&stop)) {
        for (v = 0; v < VOICES; ++v) {
            long long t0 = now_ns();
            int32_t n = parley_pull(voices[v], buf, BLOCK);
            long long t1 = now_ns();
            if (n_samples < MAX_SAMPLES) samples_us[n_samples++] = (double)(t1 - t0) / 1000.0;
            if (n > 0) {
                long long c = atomic_load(&cancel_ns);
                atomic_store(&last_audio_ns[v], t1);
                if (v == 0 && c != 0 && t0 > c) atomic_fetch_add(&stale_frames, n);
            }
            if (n >= 0 && n < BLOCK) underrun_pulls++;
        }
        next += 10000000LL;
        sleep_until(next);
    }
    return NULL;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double p) { return samples_us[(long)(p * (double)(n_samples - 1))]; }

int main(int argc, char **argv) {
    static const char *lines[] = {"Who are you, old man?", "What is this place?", "Tell me about the war.", "Can you help me?"};
    double seconds = argc > 1 ? atof(argv[1]) : 20.0;
    parley_init_params ip = parley_default_init_params();
    parley_voice_params vp = parley_default_voice_params();
    pthread_t audio;
    parley_event ev;
    long long t_end, next_cancel, reopen = 0;
    double cancel_to_last_ms_max = -1e9, cancel_to_last_ms_sum = 0;
    int cancels = 0, turns = 0, v;

    ip.python_home = getenv("PARLEY_PYTHON_HOME");
    ip.config = getenv("PARLEY_BENCH_CONFIG");
    if (parley_init(&ip) != PARLEY_OK) { fprintf(stderr, "init: %s\n", parley_last_error()); return 1; }
    vp.sample_rate = RATE;
    vp.channels = 2;
    for (v = 0; v < VOICES; ++v) {
        if (parley_voice_create(&vp, &voices[v]) != PARLEY_OK) { fprintf(stderr, "voice: %s\n", parley_last_error()); return 1; }
        parley_turn_start(voices[v], lines[v], NULL);
        turns++;
    }
    pthread_create(&audio, NULL, audio_thread, NULL);
    t_end = now_ns() + (long long)(seconds * 1e9);
    next_cancel = now_ns() + 3000000000LL;
    while (now_ns() < t_end) {
        for (v = 0; v < VOICES; ++v) {
            while (parley_poll_event(voices[v], &ev) == 1) {
                if (ev.type == PARLEY_EVENT_TURN_DONE || ev.type == PARLEY_EVENT_ERROR || (ev.type == PARLEY_EVENT_CANCELLED && v != 0)) {
                    parley_turn_start(voices[v], lines[(turns++) % 4], NULL);
                }
            }
        }
        if (now_ns() >= next_cancel && atomic_load(&cancel_ns) == 0 && now_ns() - atomic_load(&last_audio_ns[0]) < 20000000LL) {
            long long c;
            parley_turn_cancel(voices[0]);
            c = now_ns();
            atomic_store(&cancel_ns, c);
            reopen = c + 500000000LL; /* watch voice 0 for 500 ms, then start it again */
        }
        if (reopen && now_ns() >= reopen) {
            double ms = (double)(atomic_load(&last_audio_ns[0]) - atomic_load(&cancel_ns)) / 1e6;
            cancel_to_last_ms_sum += ms;
            if (ms > cancel_to_last_ms_max) cancel_to_last_ms_max = ms;
            cancels++;
            atomic_store(&cancel_ns, 0);
            reopen = 0;
            parley_turn_start(voices[0], lines[(turns++) % 4], NULL);
            next_cancel = now_ns() + 3000000000LL;
        }
        sleep_until(now_ns() + 5000000LL);
    }
    atomic_store(&stop, 1);
    pthread_join(audio, NULL);
    for (v = 0; v < VOICES; ++v) parley_voice_destroy(voices[v]);
    parley_shutdown();
    qsort(samples_us, (size_t)n_samples, sizeof(double), cmp);
    printf("{\"voices\": %d, \"seconds\": %.1f, \"turns_started\": %d, \"pull_calls\": %ld, ", VOICES, seconds, turns, n_samples);
    printf("\"pull_us\": {\"p50\": %.2f, \"p99\": %.2f, \"p99_9\": %.2f, \"max\": %.2f}, ", pct(0.5), pct(0.99), pct(0.999), samples_us[n_samples - 1]);
    printf("\"pulls_short_of_a_block\": %ld, \"cancels\": %d, \"cancel_to_last_old_frame_ms\": {\"max\": %.2f, \"mean\": %.2f}, \"stale_frames_after_cancel\": %lld}\n",
           underrun_pulls, cancels, cancel_to_last_ms_max, cancels ? cancel_to_last_ms_sum / cancels : 0.0, (long long)atomic_load(&stale_frames));
    return 0;
}
