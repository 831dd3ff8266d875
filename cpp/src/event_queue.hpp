// A voice's event queue: Python threads push, the game's main thread polls. Neither is the audio
// thread, so a short mutex is fine here; the audio thread reports through VoiceStream's atomics.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace parley {

struct QueuedEvent {
    int32_t type;
    uint64_t turn;
    int64_t frame;
    int64_t t_us;
    std::string text;
};

class EventQueue {
public:
    static constexpr size_t kCapacity = 4096;  // far above a turn's event count; bounds memory if nobody polls

    // False (and the event is counted as dropped) when the queue is full.
    bool push(QueuedEvent event) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (events_.size() >= kCapacity) {
            ++dropped_;
            return false;
        }
        events_.push_back(std::move(event));
        return true;
    }
    // Runs fn(std::deque<QueuedEvent>&) with the queue locked, for the poller's ordered scan.
    template <typename Fn>
    auto locked(Fn &&fn) {
        std::lock_guard<std::mutex> lock(mutex_);
        return fn(events_);
    }
    uint64_t dropped() {
        std::lock_guard<std::mutex> lock(mutex_);
        return dropped_;
    }

private:
    std::mutex mutex_;
    std::deque<QueuedEvent> events_;
    uint64_t dropped_ = 0;
};

}  // namespace parley
