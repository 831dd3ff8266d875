// One voice's audio stream: the frame ring plus the turn bookkeeping that lets the audio thread
// drop a cancelled turn's frames and report when a turn's audio started or ran dry, all without
// a lock. Producers (Python threads) serialise among themselves with a mutex that the consumer
// never touches. Pure C++: unit-tested without Python.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>

#include "ring.hpp"

namespace parley {

class VoiceStream {
public:
    VoiceStream(uint64_t capacity_frames, int channels) : ring_(capacity_frames, channels) {}

    int channels() const { return ring_.channels(); }
    uint64_t capacity() const { return ring_.capacity(); }

    // ---- producer side (any non-audio thread) ----

    // Writes a turn's frames, waiting for room. Returns false once the turn is cancelled or the
    // stream is closed; frames already written for a cancelled turn are dropped by the consumer.
    bool write(uint64_t turn, const float *frames, uint64_t count) {
        std::lock_guard<std::mutex> lock(producer_);
        if (!live(turn)) return false;
        if (turn != last_turn_) {
            while (!markers_.push(Marker{turn, ring_.write_index()})) {
                if (!wait_for_room(turn)) return false;
            }
            last_turn_ = turn;
            turn_start_ = ring_.write_index();
        }
        while (count > 0) {
            if (!live(turn)) return false;
            const uint64_t n = ring_.write(frames, count);
            frames += n * static_cast<uint64_t>(ring_.channels());
            count -= n;
            if (count > 0 && !wait_for_room(turn)) return false;
        }
        return true;
    }

    // The turn will write nothing more: an empty ring from now on is its end, not an underrun.
    void end_turn(uint64_t turn) {
        uint64_t prev = ended_through_.load(std::memory_order_relaxed);
        while (prev < turn && !ended_through_.compare_exchange_weak(prev, turn, std::memory_order_release)) {
        }
    }

    // Where the producer is now, and where the current turn's audio began.
    uint64_t write_position() {
        std::lock_guard<std::mutex> lock(producer_);
        return ring_.write_index();
    }
    uint64_t turn_start_position(uint64_t turn) {
        std::lock_guard<std::mutex> lock(producer_);
        return turn == last_turn_ ? turn_start_ : ring_.write_index();
    }

    // ---- control (any non-audio thread) ----

    // Every turn <= `turn` is cancelled: its unplayed frames are skipped by the next pull.
    void cancel_through(uint64_t turn) {
        uint64_t prev = cancelled_through_.load(std::memory_order_relaxed);
        while (prev < turn && !cancelled_through_.compare_exchange_weak(prev, turn, std::memory_order_acq_rel)) {
        }
        cancel_position_.store(position(), std::memory_order_release);
    }
    uint64_t cancelled_through() const { return cancelled_through_.load(std::memory_order_acquire); }
    uint64_t cancel_position() const { return cancel_position_.load(std::memory_order_acquire); }
    void close() { closed_.store(true, std::memory_order_release); }

    // ---- consumer side (the audio thread; wait-free) ----

    // Copies up to `frames` frames of live turns into `out`; returns frames written.
    int32_t pull(float *out, int32_t frames) {
        uint64_t r = ring_.read_index();
        const uint64_t w = ring_.published();
        const uint64_t cancelled = cancelled_through_.load(std::memory_order_acquire);
        const uint64_t ch = static_cast<uint64_t>(ring_.channels());
        int32_t written = 0;
        Marker m;
        while (written < frames && r < w) {
            while (markers_.peek(m) && m.start <= r) {
                turn_ = m.turn;
                markers_.pop();
            }
            const uint64_t segment_end = markers_.peek(m) ? std::min(m.start, w) : w;
            if (turn_ <= cancelled) {
                r = segment_end;  // drop a cancelled turn's frames
                continue;
            }
            if (turn_ != started_turn_local_) {
                started_turn_local_ = turn_;
                // steady_clock reads the vDSO clock: no system call, no lock.
                started_ns_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
                started_frame_.store(r, std::memory_order_relaxed);
                started_turn_.store(turn_, std::memory_order_release);
            }
            const uint64_t n = std::min<uint64_t>(segment_end - r, static_cast<uint64_t>(frames - written));
            ring_.copy_out(r, out + static_cast<uint64_t>(written) * ch, n);
            r += n;
            written += static_cast<int32_t>(n);
        }
        ring_.advance_read(r);
        const bool playing = turn_ != 0 && turn_ == started_turn_local_ && turn_ > cancelled &&
                             turn_ > ended_through_.load(std::memory_order_acquire);
        if (written < frames && playing) {
            if (!in_underrun_) {
                in_underrun_ = true;
                underrun_frame_.store(r, std::memory_order_relaxed);
                underrun_turn_.store(turn_, std::memory_order_relaxed);
                underruns_.fetch_add(1, std::memory_order_release);
            }
        } else if (written > 0) {
            in_underrun_ = false;
        }
        return written;
    }

    // ---- notices from the consumer, read by the event poller ----

    uint64_t position() const { return ring_.read_index(); }
    uint64_t started_turn() const { return started_turn_.load(std::memory_order_acquire); }
    uint64_t started_frame() const { return started_frame_.load(std::memory_order_relaxed); }
    int64_t started_ns() const { return started_ns_.load(std::memory_order_relaxed); }
    uint64_t underruns() const { return underruns_.load(std::memory_order_acquire); }
    uint64_t underrun_frame() const { return underrun_frame_.load(std::memory_order_relaxed); }
    uint64_t underrun_turn() const { return underrun_turn_.load(std::memory_order_relaxed); }

private:
    struct Marker {
        uint64_t turn;
        uint64_t start;
    };

    bool live(uint64_t turn) const {
        return !closed_.load(std::memory_order_acquire) && turn > cancelled_through_.load(std::memory_order_acquire);
    }
    // Sleeps briefly (never on the audio thread); false if the turn died meanwhile.
    bool wait_for_room(uint64_t turn) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return live(turn);
    }

    FrameRing ring_;
    SpscQueue<Marker, 64> markers_;
    std::mutex producer_;
    uint64_t last_turn_ = 0;   // producer-only
    uint64_t turn_start_ = 0;  // producer-only
    uint64_t turn_ = 0;                // consumer-only: turn of the frame at the read index
    uint64_t started_turn_local_ = 0;  // consumer-only
    bool in_underrun_ = false;         // consumer-only
    std::atomic<bool> closed_{false};
    std::atomic<uint64_t> cancelled_through_{0};
    std::atomic<uint64_t> cancel_position_{0};
    std::atomic<uint64_t> ended_through_{0};
    std::atomic<uint64_t> started_turn_{0};
    std::atomic<uint64_t> started_frame_{0};
    std::atomic<int64_t> started_ns_{0};
    std::atomic<uint64_t> underruns_{0};
    std::atomic<uint64_t> underrun_frame_{0};
    std::atomic<uint64_t> underrun_turn_{0};
};

}  // namespace parley
