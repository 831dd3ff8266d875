// A voice's native state: its audio stream, its event queue, and the poll-side merge that turns
// queue entries and audio-thread notices into the ordered events a host sees.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "event_queue.hpp"
#include "parley.h"
#include "voice_stream.hpp"

namespace parley {

// The event types of parley.h, under short names for this file and its tests.
constexpr int32_t kTurnStarted = PARLEY_EVENT_TURN_STARTED;
constexpr int32_t kText = PARLEY_EVENT_TEXT;
constexpr int32_t kAudioReady = PARLEY_EVENT_AUDIO_READY;
constexpr int32_t kAudioStarted = PARLEY_EVENT_AUDIO_STARTED;
constexpr int32_t kTurnDone = PARLEY_EVENT_TURN_DONE;
constexpr int32_t kCancelled = PARLEY_EVENT_CANCELLED;
constexpr int32_t kUnderrun = PARLEY_EVENT_UNDERRUN;

struct VoiceState {
    VoiceState(int32_t rate, int32_t ch, int32_t ms, std::string persona_, std::string tts_voice_)
        : stream(static_cast<uint64_t>(rate) * static_cast<uint64_t>(ms) / 1000u, ch),
          sample_rate(rate), channels(ch), buffer_ms(ms), persona(std::move(persona_)), tts_voice(std::move(tts_voice_)) {}

    VoiceStream stream;
    EventQueue events;
    const int32_t sample_rate;
    const int32_t channels;
    const int32_t buffer_ms;
    const std::string persona;
    const std::string tts_voice;
    std::atomic<uint64_t> current_turn{0};
    std::atomic<int64_t> current_turn_start_ns{0};  // steady_clock, set when the current turn starts
    void *py_voice = nullptr;  // strong reference to the Python Voice; touched only with the GIL

    // Called by the Python side (any thread): stamps the stream position the event applies to.
    void push_event(int32_t type, uint64_t turn, int64_t t_us, std::string text) {
        const uint64_t frame = type == kAudioReady ? stream.turn_start_position(turn) : stream.write_position();
        events.push(QueuedEvent{type, turn, static_cast<int64_t>(frame), t_us, std::move(text)});
    }

    // Poll side: the next deliverable event, in stream order. TEXT and TURN_DONE wait until the
    // stream reaches their frame, so a subtitle appears with its audio and "done" means "heard";
    // a waiting event holds back every later event of the living turns. Events of cancelled turns
    // never wait: their TEXT is dropped (it will not be heard) and a TURN_DONE that was cut off
    // before it was heard becomes CANCELLED. The audio thread's notices (AUDIO_STARTED, UNDERRUN)
    // are merged by frame; at equal frames the queued event goes first.
    bool next_event(QueuedEvent &out) {
        std::lock_guard<std::mutex> lock(poll_mutex_);
        const uint64_t position = stream.position();
        const uint64_t cancelled = stream.cancelled_through();
        const uint64_t cancel_position = stream.cancel_position();
        QueuedEvent notice{};
        bool have_notice = false;
        const uint64_t started = stream.started_turn();
        if (started > reported_started_) {
            const int64_t t_us = started == current_turn.load() ? (stream.started_ns() - current_turn_start_ns.load()) / 1000 : -1;
            notice = QueuedEvent{kAudioStarted, started, static_cast<int64_t>(stream.started_frame()), t_us, ""};
            have_notice = true;
        } else if (stream.underruns() > reported_underruns_) {
            notice = QueuedEvent{kUnderrun, stream.underrun_turn(), static_cast<int64_t>(stream.underrun_frame()), -1, ""};  // t_us unknown
            have_notice = true;
        }
        const bool found = events.locked([&](std::deque<QueuedEvent> &queue) {
            bool live_blocked = false;  // an earlier event of a living turn is still waiting
            for (auto it = queue.begin(); it != queue.end();) {
                if (it->turn <= cancelled) {
                    if (it->type == kText) {
                        it = queue.erase(it);
                        continue;
                    }
                    out = std::move(*it);
                    queue.erase(it);
                    if (out.type == kTurnDone && static_cast<uint64_t>(out.frame) > cancel_position) out.type = kCancelled;
                    return true;
                }
                if (!live_blocked) {
                    const bool waits = (it->type == kText || it->type == kTurnDone) && static_cast<uint64_t>(it->frame) > position;
                    const bool notice_first = have_notice && notice.frame < it->frame;
                    if (!waits && !notice_first) {
                        out = std::move(*it);
                        queue.erase(it);
                        return true;
                    }
                    live_blocked = true;  // keep scanning, but only for cancelled turns' events
                }
                ++it;
            }
            return false;
        });
        if (found) {
            poll_text = out.text;
            return true;
        }
        if (!have_notice) return false;
        if (notice.type == kAudioStarted)
            reported_started_ = started;
        else
            reported_underruns_ = stream.underruns();
        out = std::move(notice);
        poll_text.clear();
        return true;
    }

    std::string poll_text;  // backs parley_event.text until the next poll; written under poll_mutex_

private:
    std::mutex poll_mutex_;
    uint64_t reported_started_ = 0;
    uint64_t reported_underruns_ = 0;
};

}  // namespace parley
