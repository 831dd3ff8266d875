// Generation-checked handles (as in sokol_gfx): an id packs a slot index and the slot's
// generation, so an id from a destroyed voice no longer matches its slot and is refused instead
// of touching freed memory. The audio thread's lookup is wait-free; destroy waits until a pull
// that is in flight on that slot has left it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace parley {

template <typename T, uint32_t Slots>
class HandleTable {
    static_assert(Slots <= 0xFFFF, "slot index must fit 16 bits");

public:
    // Returns the new id, or 0 when every slot is taken.
    uint32_t insert(std::shared_ptr<T> item) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (uint32_t i = 0; i < Slots; ++i) {
            Slot &s = slots_[i];
            if (s.owner) continue;
            s.generation = static_cast<uint16_t>(s.generation + 1 == 0 ? 1 : s.generation + 1);
            s.owner = std::move(item);
            s.raw.store(s.owner.get(), std::memory_order_release);
            const uint32_t id = (static_cast<uint32_t>(s.generation) << 16) | (i + 1);
            s.id.store(id, std::memory_order_seq_cst);
            return id;
        }
        return 0;
    }

    // Any thread but the audio thread: a counted reference, or null for a stale id.
    std::shared_ptr<T> get(uint32_t id) {
        std::lock_guard<std::mutex> lock(mutex_);
        Slot *s = slot(id);
        return s && s->id.load(std::memory_order_acquire) == id ? s->owner : nullptr;
    }

    // Removes the item; returns it (null for a stale id) once no pull is using it.
    std::shared_ptr<T> remove(uint32_t id) {
        std::lock_guard<std::mutex> lock(mutex_);
        Slot *s = slot(id);
        if (!s || s->id.load(std::memory_order_acquire) != id) return nullptr;
        s->id.store(0, std::memory_order_seq_cst);
        while (s->in_use.load(std::memory_order_seq_cst)) std::this_thread::yield();
        s->raw.store(nullptr, std::memory_order_release);
        return std::move(s->owner);
    }

    // Audio thread: runs fn(T&) if the id is live, without locks. Returns `stale` for a dead id
    // and `busy` if another thread is inside the same slot.
    template <typename R, typename Fn>
    R with_wait_free(uint32_t id, R stale, R busy, Fn &&fn) {
        Slot *s = slot(id);
        if (!s) return stale;
        if (s->in_use.exchange(true, std::memory_order_seq_cst)) return busy;
        R result = stale;
        if (s->id.load(std::memory_order_seq_cst) == id) {
            T *item = s->raw.load(std::memory_order_acquire);
            if (item) result = fn(*item);
        }
        s->in_use.store(false, std::memory_order_release);
        return result;
    }

    template <typename Fn>
    void for_each(Fn &&fn) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto &s : slots_)
            if (s.owner) fn(s.id.load(), s.owner);
    }

private:
    struct Slot {
        std::atomic<uint32_t> id{0};
        std::atomic<bool> in_use{false};
        std::atomic<T *> raw{nullptr};
        std::shared_ptr<T> owner;  // guarded by mutex_
        uint16_t generation = 0;   // guarded by mutex_
    };
    Slot *slot(uint32_t id) {
        const uint32_t index = id & 0xFFFF;
        return (index == 0 || index > Slots) ? nullptr : &slots_[index - 1];
    }

    std::mutex mutex_;
    Slot slots_[Slots];
};

}  // namespace parley
