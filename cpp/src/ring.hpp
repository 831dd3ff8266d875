// Lock-free single-producer/single-consumer rings, in the manner of miniaudio's ma_pcm_rb:
// power-of-two capacity, monotonically increasing 64-bit indices (never wrap in practice), the
// producer publishes with a release store and the consumer observes with an acquire load.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace parley {

inline uint64_t next_pow2(uint64_t v) {
    uint64_t p = 1;
    while (p < v) p <<= 1;
    return p;
}

// Interleaved float frames. Indices count frames, not samples.
class FrameRing {
public:
    FrameRing(uint64_t min_frames, int channels)
        : capacity_(next_pow2(min_frames)), mask_(capacity_ - 1), channels_(channels),
          data_(new float[capacity_ * static_cast<uint64_t>(channels)]()) {}

    uint64_t capacity() const { return capacity_; }
    int channels() const { return channels_; }

    // Producer side.
    uint64_t write_index() const { return write_.load(std::memory_order_relaxed); }
    uint64_t free_frames() const { return capacity_ - (write_.load(std::memory_order_relaxed) - read_.load(std::memory_order_acquire)); }
    // Copies up to `frames` frames; returns how many fit.
    uint64_t write(const float *src, uint64_t frames) {
        const uint64_t w = write_.load(std::memory_order_relaxed);
        const uint64_t room = free_frames();  // read once: the consumer may free more meanwhile
        const uint64_t n = frames < room ? frames : room;
        copy_in(w, src, n);
        write_.store(w + n, std::memory_order_release);
        return n;
    }

    // Consumer side.
    uint64_t read_index() const { return read_.load(std::memory_order_relaxed); }
    uint64_t published() const { return write_.load(std::memory_order_acquire); }
    void copy_out(uint64_t from, float *dst, uint64_t frames) const {
        const uint64_t ch = static_cast<uint64_t>(channels_);
        const uint64_t start = from & mask_;
        const uint64_t first = frames < capacity_ - start ? frames : capacity_ - start;
        std::memcpy(dst, data_.get() + start * ch, first * ch * sizeof(float));
        std::memcpy(dst + first * ch, data_.get(), (frames - first) * ch * sizeof(float));
    }
    void advance_read(uint64_t to) { read_.store(to, std::memory_order_release); }

private:
    void copy_in(uint64_t at, const float *src, uint64_t frames) {
        const uint64_t ch = static_cast<uint64_t>(channels_);
        const uint64_t start = at & mask_;
        const uint64_t first = frames < capacity_ - start ? frames : capacity_ - start;
        std::memcpy(data_.get() + start * ch, src, first * ch * sizeof(float));
        std::memcpy(data_.get(), src + first * ch, (frames - first) * ch * sizeof(float));
    }

    const uint64_t capacity_;
    const uint64_t mask_;
    const int channels_;
    std::unique_ptr<float[]> data_;
    alignas(64) std::atomic<uint64_t> write_{0};
    alignas(64) std::atomic<uint64_t> read_{0};
};

// A queue of small trivially-copyable items.
template <typename T, uint64_t Capacity>
class SpscQueue {
    static_assert((Capacity & (Capacity - 1)) == 0, "capacity must be a power of two");

public:
    bool push(const T &item) {
        const uint64_t t = tail_.load(std::memory_order_relaxed);
        if (t - head_.load(std::memory_order_acquire) == Capacity) return false;
        items_[t & (Capacity - 1)] = item;
        tail_.store(t + 1, std::memory_order_release);
        return true;
    }
    bool peek(T &out) const {
        const uint64_t h = head_.load(std::memory_order_relaxed);
        if (h == tail_.load(std::memory_order_acquire)) return false;
        out = items_[h & (Capacity - 1)];
        return true;
    }
    void pop() { head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

private:
    T items_[Capacity];
    alignas(64) std::atomic<uint64_t> tail_{0};
    alignas(64) std::atomic<uint64_t> head_{0};
};

}  // namespace parley
