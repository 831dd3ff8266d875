/* A game engine in miniature: a plain C program that links only libparley, starts a turn, pulls
 * audio every 10 ms as an audio callback would, prints events as the main loop would, and writes
 * what it heard to a 16-bit WAV file. Proves a non-Python process can host Parley.
 *
 *   c_host "Who are you, old man?" out.wav [--speak]
 */
#define _POSIX_C_SOURCE 199309L
#include <parley.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE 48000
#define CHANNELS 2
#define BLOCK (RATE / 100) /* 10 ms */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_u32(FILE *f, uint32_t v) { fputc(v & 255, f); fputc((v >> 8) & 255, f); fputc((v >> 16) & 255, f); fputc(v >> 24, f); }
static void put_u16(FILE *f, uint16_t v) { fputc(v & 255, f); fputc(v >> 8, f); }

static int write_wav(const char *path, const float *samples, size_t frames) {
    FILE *f = fopen(path, "wb");
    size_t i;
    uint32_t bytes = (uint32_t)(frames * CHANNELS * 2);
    if (!f) return -1;
    fwrite("RIFF", 1, 4, f); put_u32(f, 36 + bytes); fwrite("WAVEfmt ", 1, 8, f);
    put_u32(f, 16); put_u16(f, 1); put_u16(f, CHANNELS); put_u32(f, RATE);
    put_u32(f, RATE * CHANNELS * 2); put_u16(f, CHANNELS * 2); put_u16(f, 16);
    fwrite("data", 1, 4, f); put_u32(f, bytes);
    for (i = 0; i < frames * CHANNELS; ++i) {
        float s = samples[i] > 1.0f ? 1.0f : (samples[i] < -1.0f ? -1.0f : samples[i]);
        put_u16(f, (uint16_t)(int16_t)(s * 32767.0f));
    }
    return fclose(f);
}

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "Who are you, old man?";
    const char *out_path = argc > 2 ? argv[2] : "c_host.wav";
    int speak = argc > 3 && strcmp(argv[3], "--speak") == 0;
    parley_init_params ip = parley_default_init_params();
    parley_voice_params vp = parley_default_voice_params();
    parley_voice voice;
    parley_event ev;
    uint64_t turn = 0;
    size_t cap = (size_t)RATE * 120, frames = 0;
    float *pcm = malloc(cap * CHANNELS * sizeof(float));
    float block[BLOCK * CHANNELS];
    double t0, first_frame = -1.0, next_tick;
    int done = 0, status;

    if (parley_api_version() != PARLEY_API_VERSION) { fprintf(stderr, "libparley version mismatch\n"); return 2; }
    /* unset = the virtual environment libparley is installed in */
    ip.python_home = getenv("PARLEY_PYTHON_HOME");
    printf("loading models...\n");
    fflush(stdout);
    if ((status = parley_init(&ip)) != PARLEY_OK) {
        fprintf(stderr, "parley_init: %s: %s\n", parley_status_string(status), parley_last_error());
        return 1;
    }
    vp.sample_rate = RATE;
    vp.channels = CHANNELS;
    if ((status = parley_voice_create(&vp, &voice)) != PARLEY_OK) {
        fprintf(stderr, "parley_voice_create: %s\n", parley_last_error());
        return 1;
    }
    t0 = now_s();
    status = speak ? parley_speak(voice, text, &turn) : parley_turn_start(voice, text, &turn);
    if (status != PARLEY_OK) {
        fprintf(stderr, "turn: %s: %s\n", parley_status_string(status), parley_last_error());
        return 1;
    }
    next_tick = t0;
    while (!done && now_s() - t0 < 120.0) {
        /* the audio callback */
        int32_t n = parley_pull(voice, block, BLOCK);
        if (n < 0) { fprintf(stderr, "pull: %s\n", parley_status_string(n)); return 1; }
        if (n > 0 && first_frame < 0) first_frame = now_s() - t0;
        if (first_frame >= 0 && frames + BLOCK <= cap) {
            memset(block + n * CHANNELS, 0, (size_t)(BLOCK - n) * CHANNELS * sizeof(float)); /* silence on underrun */
            memcpy(pcm + frames * CHANNELS, block, sizeof block);
            frames += BLOCK;
        }
        /* the main loop */
        while (parley_poll_event(voice, &ev) == 1) {
            printf("[%7.3f s] event %d turn %llu frame %lld %s\n", now_s() - t0, ev.type,
                   (unsigned long long)ev.turn, (long long)ev.frame, ev.text);
            if (ev.type == PARLEY_EVENT_TURN_DONE || ev.type == PARLEY_EVENT_CANCELLED || ev.type == PARLEY_EVENT_ERROR) done = ev.type;
        }
        next_tick += 0.010;
        {
            double wait = next_tick - now_s();
            if (wait > 0) {
                struct timespec ts;
                ts.tv_sec = 0;
                ts.tv_nsec = (long)(wait * 1e9);
                nanosleep(&ts, NULL);
            }
        }
    }
    printf("first frame pulled %.3f s after parley_turn_start\n", first_frame);
    printf("wrote %s: %.2f s of audio\n", out_path, (double)frames / RATE);
    write_wav(out_path, pcm, frames);
    parley_voice_destroy(voice);
    parley_shutdown();
    free(pcm);
    return done == PARLEY_EVENT_TURN_DONE ? 0 : 3;
}
