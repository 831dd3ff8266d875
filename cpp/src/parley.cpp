// The C entry points of libparley: argument checks, the voice handle table, last-error
// bookkeeping; the Python side lives in python_host.cpp, the audio path in voice_stream.hpp.
#include "parley.h"

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "handle_table.hpp"
#include "python_host.hpp"
#include "voice.hpp"

namespace {

using parley::VoiceState;

constexpr uint32_t kMaxVoices = 256;
constexpr size_t kMaxTextBytes = 1 << 20;  // longer input is refused before it reaches Python

std::mutex g_api_mutex;  // serialises everything but pull/poll/position
std::atomic<bool> g_initialized{false};
parley::HandleTable<VoiceState, kMaxVoices> g_voices;
thread_local std::string t_last_error;

parley_status fail(parley_status status, std::string message) {
    t_last_error = std::move(message);
    return status;
}
parley_status fail(const parley::host::Error &err) { return fail(err.status, err.message); }
parley_status ok() {
    t_last_error.clear();
    return PARLEY_OK;
}

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
        else return false;
        if (i + len > n) return false;
        for (size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

parley_status check_text(const char *text, const char *what) {
    if (!text) return fail(PARLEY_ERROR_INVALID_ARGUMENT, std::string(what) + " is NULL: pass a UTF-8 string");
    const size_t n = strnlen(text, kMaxTextBytes + 1);
    if (n > kMaxTextBytes) return fail(PARLEY_ERROR_INVALID_ARGUMENT, std::string(what) + " is longer than 1 MiB");
    if (!valid_utf8(reinterpret_cast<const unsigned char *>(text), n))
        return fail(PARLEY_ERROR_INVALID_ARGUMENT, std::string(what) + " is not valid UTF-8: convert it before passing it");
    return PARLEY_OK;
}

parley_status need_init() {
    return g_initialized.load() ? PARLEY_OK
                                : fail(PARLEY_ERROR_NOT_INITIALIZED, "parley_init() has not succeeded: call it first");
}

std::shared_ptr<VoiceState> lookup(parley_voice voice, parley_status &status) {
    status = need_init();
    if (status != PARLEY_OK) return nullptr;
    auto state = g_voices.get(voice.id);
    if (!state) status = fail(PARLEY_ERROR_INVALID_HANDLE, "voice " + std::to_string(voice.id) + " does not exist (destroyed, never created, or from before a shutdown)");
    return state;
}

parley_status start(parley_voice voice, const char *text, uint64_t *out_turn, bool speak) {
    std::lock_guard<std::mutex> lock(g_api_mutex);
    parley_status status;
    auto state = lookup(voice, status);
    if (!state) return status;
    if ((status = check_text(text, speak ? "line" : "player text")) != PARLEY_OK) return status;
    uint64_t turn = 0;
    auto err = parley::host::start_turn(state, text, speak, &turn);
    if (err.status != PARLEY_OK) return fail(err);
    if (out_turn) *out_turn = turn;
    return ok();
}

}  // namespace

extern "C" {

uint32_t parley_api_version(void) { return PARLEY_API_VERSION; }

const char *parley_status_string(parley_status status) {
    switch (status) {
        case PARLEY_OK: return "ok";
        case PARLEY_ERROR_INVALID_ARGUMENT: return "invalid argument";
        case PARLEY_ERROR_INVALID_HANDLE: return "invalid handle";
        case PARLEY_ERROR_NOT_INITIALIZED: return "not initialized";
        case PARLEY_ERROR_ALREADY_INITIALIZED: return "already initialized";
        case PARLEY_ERROR_BUSY: return "busy";
        case PARLEY_ERROR_MODEL: return "model error";
        case PARLEY_ERROR_PYTHON: return "python error";
        case PARLEY_ERROR_OUT_OF_MEMORY: return "out of memory";
        case PARLEY_ERROR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

const char *parley_last_error(void) { return t_last_error.c_str(); }

parley_init_params parley_default_init_params(void) {
    parley_init_params p;
    p.config = nullptr;
    p.python_home = nullptr;
    return p;
}

parley_status parley_init(const parley_init_params *params) {
    std::lock_guard<std::mutex> lock(g_api_mutex);
    if (g_initialized.load()) return fail(PARLEY_ERROR_ALREADY_INITIALIZED, "parley_init() was already called: call parley_shutdown() first");
    const parley_init_params p = params ? *params : parley_default_init_params();
    if (p.config) {
        const parley_status status = check_text(p.config, "config");
        if (status != PARLEY_OK) return status;
    }
    auto err = parley::host::start_interpreter(p.python_home);
    if (err.status != PARLEY_OK) return fail(err);
    err = parley::host::create_runtime(p.config);
    if (err.status != PARLEY_OK) return fail(err);
    g_initialized.store(true);
    return ok();
}

void parley_shutdown(void) {
    std::lock_guard<std::mutex> lock(g_api_mutex);
    if (!g_initialized.exchange(false)) return;
    std::vector<uint32_t> ids;
    g_voices.for_each([&](uint32_t id, const std::shared_ptr<VoiceState> &) { ids.push_back(id); });
    for (uint32_t id : ids) {
        if (auto state = g_voices.remove(id)) parley::host::release_voice(*state);
    }
    parley::host::destroy_runtime();
    t_last_error.clear();
}

void parley_log_set(parley_log_callback callback, void *user_data) {
    parley::host::set_log_callback(callback, user_data);
}

parley_voice_params parley_default_voice_params(void) {
    parley_voice_params p;
    p.sample_rate = 48000;
    p.channels = 2;
    p.buffer_ms = 10000;
    p.persona = nullptr;
    p.tts_voice = nullptr;
    return p;
}

parley_status parley_voice_create(const parley_voice_params *params, parley_voice *out) {
    std::lock_guard<std::mutex> lock(g_api_mutex);
    if (!out) return fail(PARLEY_ERROR_INVALID_ARGUMENT, "out is NULL: pass a parley_voice to receive the new voice");
    out->id = 0;
    parley_status status = need_init();
    if (status != PARLEY_OK) return status;
    const parley_voice_params p = params ? *params : parley_default_voice_params();
    if (p.sample_rate < 8000 || p.sample_rate > 192000)
        return fail(PARLEY_ERROR_INVALID_ARGUMENT, "sample_rate " + std::to_string(p.sample_rate) + " is outside 8000..192000 Hz");
    if (p.channels < 1 || p.channels > 8)
        return fail(PARLEY_ERROR_INVALID_ARGUMENT, "channels " + std::to_string(p.channels) + " is outside 1..8");
    if (p.buffer_ms < 100 || p.buffer_ms > 60000)
        return fail(PARLEY_ERROR_INVALID_ARGUMENT, "buffer_ms " + std::to_string(p.buffer_ms) + " is outside 100..60000");
    if (p.persona && (status = check_text(p.persona, "persona")) != PARLEY_OK) return status;
    if (p.tts_voice && (status = check_text(p.tts_voice, "tts_voice")) != PARLEY_OK) return status;
    std::shared_ptr<VoiceState> state;
    try {
        state = std::make_shared<VoiceState>(p.sample_rate, p.channels, p.buffer_ms, p.persona ? p.persona : "",
                                             p.tts_voice ? p.tts_voice : "");
    } catch (const std::bad_alloc &) {
        return fail(PARLEY_ERROR_OUT_OF_MEMORY, "no memory for the voice's audio ring: lower buffer_ms");
    }
    auto err = parley::host::create_voice(state);
    if (err.status != PARLEY_OK) return fail(err);
    const uint32_t id = g_voices.insert(state);
    if (id == 0) {
        parley::host::release_voice(*state);
        return fail(PARLEY_ERROR_BUSY, "all 256 voice slots are in use: destroy a voice first");
    }
    out->id = id;
    return ok();
}

parley_status parley_voice_get_params(parley_voice voice, parley_voice_params *out) {
    if (!out) return fail(PARLEY_ERROR_INVALID_ARGUMENT, "out is NULL");
    parley_status status;
    auto state = lookup(voice, status);
    if (!state) return status;
    out->sample_rate = state->sample_rate;
    out->channels = state->channels;
    out->buffer_ms = state->buffer_ms;
    out->persona = state->persona.empty() ? nullptr : state->persona.c_str();
    out->tts_voice = state->tts_voice.empty() ? nullptr : state->tts_voice.c_str();
    return ok();
}

parley_status parley_voice_destroy(parley_voice voice) {
    std::lock_guard<std::mutex> lock(g_api_mutex);
    parley_status status = need_init();
    if (status != PARLEY_OK) return status;
    auto state = g_voices.remove(voice.id);
    if (!state) return fail(PARLEY_ERROR_INVALID_HANDLE, "voice " + std::to_string(voice.id) + " does not exist (already destroyed or never created)");
    parley::host::release_voice(*state);
    return ok();
}

parley_status parley_turn_start(parley_voice voice, const char *player_text_utf8, uint64_t *out_turn) {
    return start(voice, player_text_utf8, out_turn, false);
}

parley_status parley_speak(parley_voice voice, const char *line_utf8, uint64_t *out_turn) {
    return start(voice, line_utf8, out_turn, true);
}

parley_status parley_turn_cancel(parley_voice voice) {
    std::lock_guard<std::mutex> lock(g_api_mutex);
    parley_status status;
    auto state = lookup(voice, status);
    if (!state) return status;
    auto err = parley::host::cancel_turn(*state);
    return err.status != PARLEY_OK ? fail(err) : ok();
}

int32_t parley_pull(parley_voice voice, float *out, int32_t frames) {
    // No last-error string here: assigning one could allocate on the audio thread.
    if (!out || frames < 0) return PARLEY_ERROR_INVALID_ARGUMENT;
    if (!g_initialized.load(std::memory_order_acquire)) return PARLEY_ERROR_NOT_INITIALIZED;
    if (frames == 0) return 0;
    return g_voices.with_wait_free<int32_t>(voice.id, PARLEY_ERROR_INVALID_HANDLE, PARLEY_ERROR_BUSY,
                                            [&](VoiceState &state) { return state.stream.pull(out, frames); });
}

int64_t parley_voice_position(parley_voice voice) {
    parley_status status;
    auto state = lookup(voice, status);
    if (!state) return status;
    ok();
    return static_cast<int64_t>(state->stream.position());
}

int32_t parley_poll_event(parley_voice voice, parley_event *out) {
    if (!out) return fail(PARLEY_ERROR_INVALID_ARGUMENT, "out is NULL: pass a parley_event to fill");
    parley_status status;
    auto state = lookup(voice, status);
    if (!state) return status;
    parley::QueuedEvent ev;
    ok();
    if (!state->next_event(ev)) return 0;
    out->type = ev.type;
    out->turn = ev.turn;
    out->frame = ev.frame;
    out->t_us = ev.t_us;
    out->text = state->poll_text.c_str();
    return 1;
}

}  // extern "C"
