// The mix unit on its own: mono->stereo, underrun -> silence with the audio kept, cancel mid-buffer.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "mix.hpp"

using namespace parley_godot;

#define CHECK(c) do { if (!(c)) { std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); std::exit(1); } } while (0)

struct FakeVoice {
    std::vector<float> samples;  // interleaved at `channels`
    int channels;
    size_t pos = 0;
};

static int32_t fake_pull(void *v, float *out, int32_t frames) {
    auto *voice = static_cast<FakeVoice *>(v);
    const size_t avail = (voice->samples.size() - voice->pos) / voice->channels;
    const int32_t n = static_cast<int32_t>(avail < static_cast<size_t>(frames) ? avail : frames);
    for (int32_t i = 0; i < n * voice->channels; ++i) out[i] = voice->samples[voice->pos + i];
    voice->pos += static_cast<size_t>(n) * voice->channels;
    return n;
}

int main() {
    std::vector<AudioFrame> buf(256, AudioFrame{7.0f, 7.0f});
    {  // mono voice -> both channels carry the same sample, in order
        FakeVoice v{{}, 1};
        for (int i = 0; i < 256; ++i) v.samples.push_back(static_cast<float>(i) / 256.0f);
        MixResult r = mix(fake_pull, &v, 1, buf.data(), 256);
        CHECK(r.audio_frames == 256);
        for (int i = 0; i < 256; ++i) CHECK(buf[i].left == static_cast<float>(i) / 256.0f && buf[i].right == buf[i].left);
        CHECK(r.rms > 0.5f && r.rms < 0.6f);
    }
    {  // underrun: 100 frames of audio, then silence; the audio is kept
        FakeVoice v{std::vector<float>(200, 0.5f), 2};
        std::fill(buf.begin(), buf.end(), AudioFrame{7.0f, 7.0f});
        MixResult r = mix(fake_pull, &v, 2, buf.data(), 256);
        CHECK(r.audio_frames == 100);
        CHECK(buf[99].left == 0.5f && buf[99].right == 0.5f);
        for (int i = 100; i < 256; ++i) CHECK(buf[i].left == 0.0f && buf[i].right == 0.0f);
    }
    {  // cancel mid-buffer: the voice stops giving frames; the next buffer is pure silence
        FakeVoice v{std::vector<float>(64, -0.25f), 2};
        MixResult r = mix(fake_pull, &v, 2, buf.data(), 256);
        CHECK(r.audio_frames == 32);
        r = mix(fake_pull, &v, 2, buf.data(), 256);
        CHECK(r.audio_frames == 0 && r.rms == 0.0f);
        for (int i = 0; i < 256; ++i) CHECK(buf[i].left == 0.0f);
    }
    {  // a failing pull (stale voice) is silence, never garbage
        auto failing = [](void *, float *, int32_t) -> int32_t { return -2; };
        std::fill(buf.begin(), buf.end(), AudioFrame{7.0f, 7.0f});
        MixResult r = mix(failing, nullptr, 2, buf.data(), 256);
        CHECK(r.audio_frames == 0 && buf[0].left == 0.0f && buf[255].right == 0.0f);
    }
    std::puts("mix: all cases passed");
    return 0;
}
