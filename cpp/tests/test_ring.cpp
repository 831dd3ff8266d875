// Stress: a producer and a consumer thread move >= 10^7 stereo frames through a small ring in
// odd-sized pieces; every frame must arrive once, in order, intact (checked sample by sample and
// by checksum). Run under TSan/ASan in CI.
#include <cstdint>
#include <thread>
#include <vector>

#include "check.hpp"
#include "ring.hpp"

int main(int argc, char **argv) {
    const uint64_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000000ull;
    parley::FrameRing ring(1000, 2);  // rounds up to 1024 frames
    CHECK(ring.capacity() == 1024);
    uint64_t sent_sum = 0, got_sum = 0;
    std::thread producer([&] {
        std::vector<float> buf(2 * 97);
        uint64_t next = 0;
        while (next < total) {
            const uint64_t want = std::min<uint64_t>(1 + next % 97, total - next);
            for (uint64_t i = 0; i < want; ++i) {
                buf[2 * i] = static_cast<float>((next + i) % 65521);
                buf[2 * i + 1] = -buf[2 * i];
                sent_sum += (next + i) % 65521;
            }
            uint64_t done = 0;
            while (done < want) {
                done += ring.write(buf.data() + 2 * done, want - done);
                if (done < want) std::this_thread::yield();
            }
            next += want;
        }
    });
    std::vector<float> out(2 * 61);
    uint64_t expect = 0;
    while (expect < total) {
        const uint64_t r = ring.read_index();
        const uint64_t avail = ring.published() - r;
        if (avail == 0) {
            std::this_thread::yield();
            continue;
        }
        const uint64_t n = std::min<uint64_t>(avail, 1 + expect % 61);
        ring.copy_out(r, out.data(), n);
        ring.advance_read(r + n);
        for (uint64_t i = 0; i < n; ++i, ++expect) {
            CHECK(out[2 * i] == static_cast<float>(expect % 65521));
            CHECK(out[2 * i + 1] == -out[2 * i]);
            got_sum += static_cast<uint64_t>(out[2 * i]);
        }
    }
    producer.join();
    CHECK(got_sum == sent_sum);
    std::printf("ring: %llu frames intact, checksum %llu\n", (unsigned long long)total, (unsigned long long)got_sum);
    return 0;
}
