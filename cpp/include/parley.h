/*
 * parley.h - real-time voice for game NPCs: the C API of libparley.
 *
 * A player says a line; an LLM writes the NPC's reply; a neural TTS speaks it; the game engine
 * pulls the audio frame by frame from its audio thread. libparley embeds the Python inference
 * core (or joins the interpreter of a Python host) and hands audio to the engine through a
 * lock-free ring per voice.
 *
 * USAGE
 *
 *     parley_init_params ip = parley_default_init_params();       // embedded CPU default
 *     if (parley_init(&ip) != PARLEY_OK) { puts(parley_last_error()); return 1; }
 *
 *     parley_voice_params vp = parley_default_voice_params();
 *     vp.sample_rate = 48000; vp.channels = 2;                    // what the mixer wants
 *     vp.persona = "You are Aldric, an old librarian.";
 *     parley_voice npc;
 *     parley_voice_create(&vp, &npc);
 *
 *     uint64_t turn;
 *     parley_turn_start(npc, "Who are you, old man?", &turn);
 *
 *     // audio thread, every callback:
 *     int32_t n = parley_pull(npc, buffer, frames);               // fill the rest with silence
 *
 *     // main thread, every frame:
 *     parley_event ev;
 *     while (parley_poll_event(npc, &ev) == 1) {
 *         if (ev.type == PARLEY_EVENT_TEXT) show_subtitle(ev.text);
 *         if (ev.type == PARLEY_EVENT_TURN_DONE) break;
 *     }
 *
 *     parley_voice_destroy(npc);
 *     parley_shutdown();
 *
 * THREADING
 *
 *   - parley_pull() is the only function meant for the audio thread. It is wait-free: it takes no
 *     lock, does not allocate, never touches Python or the GIL and makes no system call. One
 *     thread at a time may pull a given voice; a second, concurrent pull of the same voice returns
 *     PARLEY_ERROR_BUSY instead of corrupting the stream.
 *   - Every other function may be called from any non-audio thread (typically the game's main
 *     thread). They may briefly wait for the Python interpreter lock. parley_init() loads models
 *     and can take seconds: call it from a loading thread if the UI must stay live.
 *   - Inference runs on threads that libparley's Python core owns; nothing runs on the caller's
 *     thread after a call returns.
 *
 * OWNERSHIP
 *
 *   - Strings passed in are UTF-8, NUL-terminated, and only read during the call: libparley
 *     copies what it keeps.
 *   - Strings returned (parley_status_string, parley_last_error, parley_event.text) are owned by
 *     libparley. parley_last_error() is valid until the next parley call on the same thread;
 *     parley_event.text until the next parley_poll_event() on the same voice.
 *   - A voice is a generation-checked id, not a pointer: using a destroyed or never-created voice
 *     returns PARLEY_ERROR_INVALID_HANDLE and never touches freed memory.
 *
 * ERRORS
 *
 *   Functions return PARLEY_OK (0), a non-negative count, or a negative parley_status. On error,
 *   parley_last_error() explains what went wrong and what to do (parley_pull excepted: it must
 *   not allocate, so it leaves the last error alone). libparley never aborts the process and never
 *   prints; errors inside a running turn arrive as PARLEY_EVENT_ERROR on that voice, and the voice
 *   stays usable.
 */
#ifndef PARLEY_H
#define PARLEY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  if defined(PARLEY_BUILD)
#    define PARLEY_API __declspec(dllexport)
#  else
#    define PARLEY_API __declspec(dllimport)
#  endif
#else
#  define PARLEY_API __attribute__((visibility("default")))
#endif

/* Version of this header. Bindings compare it with parley_api_version() when they load. */
#define PARLEY_API_VERSION 1

/* The version the loaded library implements; equals PARLEY_API_VERSION when they match. */
PARLEY_API uint32_t parley_api_version(void);

typedef enum parley_status {
    PARLEY_OK                        = 0,
    PARLEY_ERROR_INVALID_ARGUMENT    = -1, /* NULL pointer, bad number, invalid UTF-8, empty text */
    PARLEY_ERROR_INVALID_HANDLE      = -2, /* voice destroyed, never created, or from before a shutdown */
    PARLEY_ERROR_NOT_INITIALIZED     = -3, /* parley_init() has not succeeded yet */
    PARLEY_ERROR_ALREADY_INITIALIZED = -4, /* parley_init() called twice without parley_shutdown() */
    PARLEY_ERROR_BUSY                = -5, /* another thread is pulling this voice, or no voice slot is free */
    PARLEY_ERROR_MODEL               = -6, /* a model file is missing or failed to load */
    PARLEY_ERROR_PYTHON              = -7, /* the Python core raised an unexpected exception */
    PARLEY_ERROR_OUT_OF_MEMORY       = -8,
    PARLEY_ERROR_INTERNAL            = -9
} parley_status;

/* A short, static description of a status ("invalid handle"). Never NULL. */
PARLEY_API const char *parley_status_string(parley_status status);

/* Detail of the last error on the calling thread, e.g. the Python exception's message. Never
 * NULL; "" when the last call succeeded. */
PARLEY_API const char *parley_last_error(void);

/* ---- runtime ------------------------------------------------------------------------------ */

/* Receives libparley's diagnostics. level: 0 debug, 1 info, 2 warning, 3 error. May be called
 * from any non-audio thread. */
typedef void (*parley_log_callback)(int32_t level, const char *message, void *user_data);

typedef struct parley_init_params {
    const char *config;      /* JSON text, or a path to a .json/.toml file; NULL = embedded CPU default */
    const char *python_home; /* virtual environment (folder holding pyvenv.cfg) to run the core from;
                                NULL = the one libparley is installed in. Ignored in a Python host. */
} parley_init_params;

/* Defaults: config NULL, python_home NULL. */
PARLEY_API parley_init_params parley_default_init_params(void);

/* Starts Python (or joins the host's interpreter), loads the models named by the config and warms
 * them up; blocks until done. params may be NULL (defaults).
 * Returns PARLEY_OK, PARLEY_ERROR_ALREADY_INITIALIZED, PARLEY_ERROR_MODEL (a file is missing or
 * broken: the message names it), PARLEY_ERROR_INVALID_ARGUMENT (bad config) or
 * PARLEY_ERROR_PYTHON. After a failure parley_init() may be called again. */
PARLEY_API parley_status parley_init(const parley_init_params *params);

/* Cancels every turn, destroys every voice and unloads the models. Safe to call twice or before
 * parley_init(). The embedded interpreter stays alive (Python cannot be restarted in one process),
 * so parley_init() may be called again afterwards. */
PARLEY_API void parley_shutdown(void);

/* Sets (or with NULL clears) the log callback. Without one, libparley is silent. */
PARLEY_API void parley_log_set(parley_log_callback callback, void *user_data);

/* ---- voices ------------------------------------------------------------------------------- */

/* An NPC voice. id 0 is never valid. */
typedef struct parley_voice {
    uint32_t id;
} parley_voice;

typedef struct parley_voice_params {
    int32_t sample_rate;   /* output rate in Hz, 8000..192000; default 48000 */
    int32_t channels;      /* 1..8 interleaved, the same signal on each; default 2 */
    int32_t buffer_ms;     /* ring capacity, 100..60000 ms; default 10000. Synthesis waits when it is full. */
    const char *persona;   /* system prompt describing the NPC; NULL = the config's persona */
    const char *tts_voice; /* engine-specific voice: a Piper speaker, an XTTS speaker name or reference WAV path; NULL = the engine's default */
} parley_voice_params;

/* Defaults as documented above. */
PARLEY_API parley_voice_params parley_default_voice_params(void);

/* Creates a voice. Returns PARLEY_OK and writes *out, or PARLEY_ERROR_INVALID_ARGUMENT,
 * PARLEY_ERROR_NOT_INITIALIZED, PARLEY_ERROR_BUSY (all 256 voice slots in use). */
PARLEY_API parley_status parley_voice_create(const parley_voice_params *params, parley_voice *out);

/* The parameters a voice actually uses (defaults filled in). Strings in *out stay valid until the
 * voice is destroyed. */
PARLEY_API parley_status parley_voice_get_params(parley_voice voice, parley_voice_params *out);

/* Cancels the voice's turn and frees the voice. A second destroy returns
 * PARLEY_ERROR_INVALID_HANDLE. Do not destroy a voice while its audio callback may still pull
 * it: the pull would then fail with PARLEY_ERROR_INVALID_HANDLE, which is safe but silent. */
PARLEY_API parley_status parley_voice_destroy(parley_voice voice);

/* ---- turns -------------------------------------------------------------------------------- */

/* Answers the player's line (UTF-8, 1..2000 characters after trimming) with the LLMs and TTS.
 * Returns at once; audio and events follow. If the voice is already speaking, that turn is
 * cancelled first (barge-in): its unplayed audio is dropped and it ends with
 * PARLEY_EVENT_CANCELLED. out_turn may be NULL. */
PARLEY_API parley_status parley_turn_start(parley_voice voice, const char *player_text_utf8, uint64_t *out_turn);

/* Speaks a fixed line without the LLMs (barks, scripted lines); same barge-in rule. The line
 * must contain a letter or digit. out_turn may be NULL. */
PARLEY_API parley_status parley_speak(parley_voice voice, const char *line_utf8, uint64_t *out_turn);

/* Cancels the voice's current turn: generation stops and unplayed audio is dropped before the
 * next pull. PARLEY_OK also when nothing was playing. */
PARLEY_API parley_status parley_turn_cancel(parley_voice voice);

/* ---- audio -------------------------------------------------------------------------------- */

/* Copies up to `frames` interleaved float32 frames (frames * channels floats) into `out`.
 * Returns the number of frames written, 0..frames; fewer than asked means an underrun or silence:
 * the caller fills the rest with zeros. Negative: PARLEY_ERROR_INVALID_ARGUMENT (out NULL or
 * frames < 0), PARLEY_ERROR_INVALID_HANDLE, PARLEY_ERROR_BUSY (another thread is pulling).
 * Audio thread; wait-free; see THREADING. */
PARLEY_API int32_t parley_pull(parley_voice voice, float *out, int32_t frames);

/* Frames consumed from the voice's stream so far: pulled frames plus the frames of cancelled
 * turns that were dropped. parley_event.frame is in the same units. <0 = status. */
PARLEY_API int64_t parley_voice_position(parley_voice voice);

/* ---- events ------------------------------------------------------------------------------- */

typedef enum parley_event_type {
    PARLEY_EVENT_TURN_STARTED          = 1,
    PARLEY_EVENT_TEXT                  = 2, /* a chunk of the reply, delivered when its audio starts to be pulled */
    PARLEY_EVENT_AUDIO_READY           = 3, /* the turn's first audio is in the ring */
    PARLEY_EVENT_AUDIO_STARTED         = 4, /* the host pulled the turn's first frame */
    PARLEY_EVENT_NARRATIVE_FIRST_TOKEN = 5,
    PARLEY_EVENT_TURN_DONE             = 6, /* delivered once the turn's last frame was pulled; text = a JSON
                                               summary: {"stages": [[name, seconds], ...], "tts_seconds",
                                               "audio_seconds", "tts_rtf", "chunks"} */
    PARLEY_EVENT_CANCELLED             = 7,
    PARLEY_EVENT_ERROR                 = 8, /* text = what failed; the turn ends, the voice stays usable */
    PARLEY_EVENT_UNDERRUN              = 9  /* the host ran out of audio mid-turn */
} parley_event_type;

typedef struct parley_event {
    int32_t type;      /* parley_event_type */
    uint64_t turn;     /* the turn it belongs to */
    int64_t frame;     /* position in the voice's stream where it applies (see parley_voice_position) */
    int64_t t_us;      /* microseconds since the turn started; -1 where unknown (UNDERRUN) */
    const char *text;  /* UTF-8, never NULL; valid until the next parley_poll_event() on this voice */
} parley_event;

/* Takes the next event of a voice. Returns 1 and fills *out, 0 when there is none yet, or <0
 * (a parley_status). Events of a turn arrive in order; TURN_STARTED first; exactly one of
 * TURN_DONE, CANCELLED or ERROR last. */
PARLEY_API int32_t parley_poll_event(parley_voice voice, parley_event *out);

#ifdef __cplusplus
}
#endif

#endif /* PARLEY_H */
