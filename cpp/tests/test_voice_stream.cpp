// The audio-thread logic of a voice, without Python: turn markers, cancel skipping, underrun and
// audio-started notices, and the event gating that ties subtitles to the audio actually pulled.
#include <thread>
#include <vector>

#include "check.hpp"
#include "voice.hpp"

using namespace parley;

static std::vector<float> frames(int n, float value, int channels = 2) { return std::vector<float>(n * channels, value); }

static void test_frames_arrive_in_order_and_mono_to_many_channels() {
    VoiceStream s(1024, 2);
    auto a = frames(100, 0.25f);
    CHECK(s.write(1, a.data(), 100));
    std::vector<float> out(2 * 300, 9.0f);
    CHECK(s.pull(out.data(), 300) == 100);
    CHECK(out[0] == 0.25f && out[199] == 0.25f);
    CHECK(out[200] == 9.0f);  // beyond the returned count nothing is touched
    CHECK(s.position() == 100);
}

static void test_cancel_drops_unplayed_audio_before_next_pull() {
    VoiceStream s(4096, 1);
    auto old_turn = frames(1000, 0.5f, 1);
    CHECK(s.write(1, old_turn.data(), 1000));
    std::vector<float> out(64);
    CHECK(s.pull(out.data(), 64) == 64);
    s.cancel_through(1);
    CHECK(!s.write(1, old_turn.data(), 10));  // the old turn's writer learns it is dead
    auto fresh = frames(50, -0.5f, 1);
    CHECK(s.write(2, fresh.data(), 50));
    std::vector<float> got(200, 0.0f);
    const int n = s.pull(got.data(), 200);
    CHECK(n == 50);
    for (int i = 0; i < n; ++i) CHECK(got[i] == -0.5f);  // no stale frame of turn 1
    CHECK(s.position() == 1050);
}

static void test_underrun_counted_once_per_gap_and_not_after_turn_end() {
    VoiceStream s(1024, 1);
    auto a = frames(10, 0.1f, 1);
    std::vector<float> out(100);
    CHECK(s.write(3, a.data(), 10));
    CHECK(s.pull(out.data(), 100) == 10);
    CHECK(s.underruns() == 1);
    CHECK(s.pull(out.data(), 100) == 0);
    CHECK(s.underruns() == 1);  // same gap
    CHECK(s.write(3, a.data(), 10));
    CHECK(s.pull(out.data(), 5) == 5);
    CHECK(s.pull(out.data(), 100) == 5);
    CHECK(s.underruns() == 2);
    s.end_turn(3);
    CHECK(s.pull(out.data(), 100) == 0);
    CHECK(s.underruns() == 2);  // the turn ended: silence is not an underrun
}

static void test_text_event_waits_for_its_audio_and_audio_started_is_reported() {
    VoiceState v(1000, 1, 1000, "", "");
    v.push_event(kTurnStarted, 7, 0, "");
    auto first = frames(100, 0.2f, 1);
    v.push_event(kText, 7, 10, "Hello,");
    CHECK(v.stream.write(7, first.data(), 100));
    v.push_event(kAudioReady, 7, 11, "");
    v.push_event(kText, 7, 12, "world.");
    CHECK(v.stream.write(7, first.data(), 100));
    v.stream.end_turn(7);
    v.push_event(kTurnDone, 7, 13, "");
    QueuedEvent ev;
    CHECK(v.next_event(ev) && ev.type == kTurnStarted);
    CHECK(v.next_event(ev) && ev.type == kText && ev.text == "Hello," && ev.frame == 0);
    CHECK(v.next_event(ev) && ev.type == kAudioReady && ev.frame == 0);
    CHECK(!v.next_event(ev));  // "world." is at frame 100: not heard yet
    std::vector<float> out(150);
    CHECK(v.stream.pull(out.data(), 150) == 150);
    CHECK(v.next_event(ev) && ev.type == kAudioStarted && ev.turn == 7 && ev.frame == 0);
    CHECK(v.next_event(ev) && ev.type == kText && ev.text == "world.");
    CHECK(!v.next_event(ev));  // done waits for the last frame
    CHECK(v.stream.pull(out.data(), 150) == 50);
    CHECK(v.next_event(ev) && ev.type == kTurnDone);
    CHECK(!v.next_event(ev));
}

static void test_events_of_cancelled_turn_are_not_shown() {
    VoiceState v(1000, 1, 1000, "", "");
    auto a = frames(100, 0.2f, 1);
    v.push_event(kTurnStarted, 1, 0, "");
    v.push_event(kText, 1, 1, "never heard");
    CHECK(v.stream.write(1, a.data(), 100));
    v.stream.end_turn(1);
    v.push_event(kTurnDone, 1, 2, "");
    v.stream.cancel_through(1);
    QueuedEvent ev;
    CHECK(v.next_event(ev) && ev.type == kTurnStarted);
    CHECK(v.next_event(ev) && ev.type == kCancelled);  // finished writing, cut off before heard
    CHECK(!v.next_event(ev));
}

static void test_concurrent_writer_and_puller_with_cancels() {
    // Producer writes turns 1..200 (each 300 frames of value == turn); the consumer cancels every
    // third turn as it sees it. No frame of a turn may appear after its cancel returned.
    VoiceStream s(512, 1);
    std::atomic<bool> stop{false};
    std::thread producer([&] {
        std::vector<float> buf(300);
        for (uint64_t t = 1; t <= 200; ++t) {
            std::fill(buf.begin(), buf.end(), static_cast<float>(t));
            s.write(t, buf.data(), 300);
            s.end_turn(t);
        }
        stop = true;
    });
    std::vector<float> out(64);
    uint64_t cancelled = 0;
    while (!stop || s.position() < s.write_position()) {
        const int n = s.pull(out.data(), 64);
        for (int i = 0; i < n; ++i) {
            const auto t = static_cast<uint64_t>(out[i]);
            CHECK(t > cancelled);
            if (t % 3 == 0 && t > cancelled) {
                s.cancel_through(t);
                cancelled = t;
                break;  // the rest of this buffer was pulled before the cancel
            }
        }
    }
    producer.join();
}

static void test_events_and_audio_from_a_writer_thread_arrive_complete_and_in_order() {
    // One thread writes turns of audio with TEXT events, as the Python core does; the "main
    // thread" polls while the "audio thread" pulls. Every TEXT arrives once, in order (TSan run).
    VoiceState v(48000, 1, 200, "", "");
    std::atomic<bool> done{false};
    std::thread writer([&] {
        std::vector<float> buf(480, 0.3f);
        for (uint64_t t = 1; t <= 20; ++t) {
            v.push_event(kTurnStarted, t, 0, "");
            for (int chunk = 0; chunk < 5; ++chunk) {
                v.push_event(kText, t, chunk, std::to_string(t) + ":" + std::to_string(chunk));
                v.stream.write(t, buf.data(), buf.size());
            }
            v.stream.end_turn(t);
            v.push_event(kTurnDone, t, 9, "");
        }
        done = true;
    });
    std::thread audio([&] {
        std::vector<float> out(480);
        while (!done || v.stream.position() < v.stream.write_position()) v.stream.pull(out.data(), 480);
    });
    std::vector<std::string> texts;
    int finished = 0;
    QueuedEvent ev;
    while (finished < 20) {
        if (!v.next_event(ev)) {
            std::this_thread::yield();
            continue;
        }
        if (ev.type == kText) texts.push_back(ev.text);
        if (ev.type == kTurnDone) ++finished;
    }
    writer.join();
    audio.join();
    if (texts.size() != 100 || texts[0] != "1:0")
        for (auto &t : texts) std::fprintf(stderr, "%s ", t.c_str());
    CHECK(texts.size() == 100);
    for (size_t i = 0; i < texts.size(); ++i) {
        if (texts[i] != std::to_string(i / 5 + 1) + ":" + std::to_string(i % 5)) std::fprintf(stderr, "at %zu: %s\n", i, texts[i].c_str());
        CHECK(texts[i] == std::to_string(i / 5 + 1) + ":" + std::to_string(i % 5));
    }
}

int main() {
    test_frames_arrive_in_order_and_mono_to_many_channels();
    test_cancel_drops_unplayed_audio_before_next_pull();
    test_underrun_counted_once_per_gap_and_not_after_turn_end();
    test_text_event_waits_for_its_audio_and_audio_started_is_reported();
    test_events_of_cancelled_turn_are_not_shown();
    test_concurrent_writer_and_puller_with_cancels();
    test_events_and_audio_from_a_writer_thread_arrive_complete_and_in_order();
    std::puts("voice stream: all cases passed");
    return 0;
}
