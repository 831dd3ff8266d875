// Godot's mix step, as a plain unit: fill `frames` AudioFrames (interleaved float stereo) from a
// voice, expanding mono, zero-filling what the voice could not give (underrun, cancel, nothing
// playing) and measuring the level for lip flap. No allocation: the scratch buffer is fixed.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace parley_godot {

struct AudioFrame {
    float left;
    float right;
};
static_assert(sizeof(AudioFrame) == 2 * sizeof(float), "AudioFrame must be two packed floats");

// Same shape as parley_pull: frames written, or <0.
using PullFn = int32_t (*)(void *voice, float *out, int32_t frames);

struct MixResult {
    int32_t audio_frames;  // frames that carried voice audio; the rest is silence
    float rms;
};

inline MixResult mix(PullFn pull, void *voice, int channels, AudioFrame *buffer, int32_t frames) {
    MixResult result{0, 0.0f};
    if (frames <= 0) return result;
    float *out = reinterpret_cast<float *>(buffer);
    if (channels == 2) {
        const int32_t n = pull(voice, out, frames);
        result.audio_frames = n > 0 ? n : 0;
    } else if (channels == 1) {
        // Pull mono into the tail half of the buffer, then spread it forward into L/R pairs:
        // reading index i while writing 2i and 2i+1 never overwrites unread input.
        float *mono = out + frames;
        const int32_t n = pull(voice, mono, frames);
        result.audio_frames = n > 0 ? n : 0;
        for (int32_t i = 0; i < result.audio_frames; ++i) {
            const float s = mono[i];
            out[2 * i] = s;
            out[2 * i + 1] = s;
        }
    }
    double sum = 0.0;
    for (int32_t i = 0; i < 2 * result.audio_frames; ++i) sum += static_cast<double>(out[i]) * out[i];
    if (result.audio_frames > 0) result.rms = static_cast<float>(std::sqrt(sum / (2.0 * result.audio_frames)));
    std::memset(out + 2 * result.audio_frames, 0, sizeof(float) * 2 * static_cast<size_t>(frames - result.audio_frames));
    return result;
}

}  // namespace parley_godot
