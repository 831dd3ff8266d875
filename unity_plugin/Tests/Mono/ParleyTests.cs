// The Unity package's code run under Mono against the real libparley on the embedded default:
// struct layouts against the C compiler, full turns, event order, bad input, dispose rules, and
// the ParleyVoice MonoBehaviour driven the way Unity drives it (Start, Update on the main thread,
// OnAudioFilterRead on an audio thread). Usage: mono ParleyTests.exe layout.txt
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using Parley;
using Parley.Native;
using UnityEngine;

static class ParleyTests
{
    static int passed, failed;

    static void Check(bool ok, string what)
    {
        if (ok) passed++;
        else { failed++; Console.Error.WriteLine("FAILED: " + what); }
    }

    static void Throws<T>(Action a, string what, Func<T, bool> ok = null) where T : Exception
    {
        try { a(); Check(false, what + " (no exception)"); }
        catch (T e) { Check(ok == null || ok(e), what + " (" + e.Message + ")"); }
        catch (Exception e) { Check(false, what + " (threw " + e.GetType().Name + ": " + e.Message + ")"); }
    }

    static void Layout(string path)
    {
        var c = new Dictionary<string, long>();
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split(' ');
            c[parts[0]] = long.Parse(parts[1]);
        }
        var map = new Dictionary<string, Type> {
            { "parley_init_params", typeof(ParleyInitParams) }, { "parley_voice", typeof(ParleyVoiceId) },
            { "parley_voice_params", typeof(ParleyVoiceParams) }, { "parley_event", typeof(ParleyEventRaw) },
        };
        int checkedFields = 0;
        foreach (var kv in c)
        {
            var dot = kv.Key.IndexOf('.');
            if (dot < 0) { Check(Marshal.SizeOf(map[kv.Key]) == kv.Value, "sizeof " + kv.Key); continue; }
            var type = map[kv.Key.Substring(0, dot)];
            var field = kv.Key.Substring(dot + 1);
            Check((long)Marshal.OffsetOf(type, field) == kv.Value, "offsetof " + kv.Key);
            checkedFields++;
        }
        Check(checkedFields == 13, "every field of parley.h's structs was compared");
    }

    // What Unity's mixer does: pull a 10 ms buffer, then poll on the "main thread".
    static List<ParleyEvent> RunTurn(ParleyVoiceHandle v, ulong turn, out int framesHeard)
    {
        var events = new List<ParleyEvent>();
        var buf = new float[480 * v.Channels];
        framesHeard = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            framesHeard += v.Pull(buf, v.Channels);
            ParleyEvent ev;
            while (v.TryPollEvent(out ev)) if (ev.Turn == turn) events.Add(ev);
            if (events.Exists(e => e.Type == ParleyEventType.TurnDone || e.Type == ParleyEventType.Cancelled || e.Type == ParleyEventType.Error)) break;
            Thread.Sleep(1);
        }
        return events;
    }

    static void NativeWrappers(ParleyRuntime runtime)
    {
        using (var v = runtime.CreateVoice(48000, 2))
        {
            ulong turn = v.Speak("Welcome, traveller. The gates close at dusk.");
            int frames;
            var events = RunTurn(v, turn, out frames);
            Check(events.Count > 0 && events[0].Type == ParleyEventType.TurnStarted, "TURN_STARTED comes first");
            Check(events.Count > 0 && events[events.Count - 1].Type == ParleyEventType.TurnDone, "TURN_DONE comes last");
            var texts = events.FindAll(e => e.Type == ParleyEventType.Text).ConvertAll(e => e.Text);
            Check(string.Join(" ", texts.ToArray()) == "Welcome, traveller. The gates close at dusk.", "TEXT events spell the line in order: " + string.Join("|", texts.ToArray()));
            Check(frames > 48000, "more than a second of audio arrived (" + frames + " frames)");
            Check(v.Position >= frames, "position counts the frames pulled");

            ulong llmTurn = v.Say("Who are you?");
            Check(llmTurn > turn, "turn ids increase");
            events = RunTurn(v, llmTurn, out frames);
            Check(events.Exists(e => e.Type == ParleyEventType.TurnDone), "an LLM turn finishes");
            Check(events.Exists(e => e.Type == ParleyEventType.Text && e.Text.Length > 0), "an LLM turn speaks text");

            Throws<ParleyException>(() => v.Speak(""), "empty line", e => e.Status == ParleyStatus.InvalidArgument);
            Throws<ParleyException>(() => v.Say(null), "null text", e => e.Status == ParleyStatus.InvalidArgument);
            Throws<ParleyException>(() => v.Say(new string('x', 5000)), "too long", e => e.Status == ParleyStatus.InvalidArgument && e.Message.Contains("limit"));
            v.Cancel();  // nothing to cancel: fine
            v.Dispose();
            v.Dispose();
            Check(true, "dispose twice is harmless");
            Throws<ObjectDisposedException>(() => v.Speak("hello"), "use after dispose never reaches libparley");
            var buf = new float[64];
            for (int i = 0; i < buf.Length; i++) buf[i] = 9f;
            Check(v.Pull(buf, 2) == 0 && buf[0] == 0f && buf[63] == 0f, "pull after dispose gives silence");
        }
        Throws<ParleyException>(() => runtime.CreateVoice(0, 2), "sample rate 0", e => e.Status == ParleyStatus.InvalidArgument && e.Message.Contains("sample_rate"));
        Throws<ParleyException>(() => runtime.CreateVoice(48000, 99), "99 channels", e => e.Status == ParleyStatus.InvalidArgument);
        Throws<ParleyException>(() => new ParleyRuntime(), "second runtime", e => e.Status == ParleyStatus.AlreadyInitialized);
    }

    static void MonoBehaviourDrivenLikeUnity()
    {
        var go = new GameObject();
        go.AddComponent<AudioSource>();
        var npc = go.AddComponent<ParleyVoice>();
        var flags = BindingFlags.Instance | BindingFlags.NonPublic;
        var start = typeof(ParleyVoice).GetMethod("Start", flags);
        var update = typeof(ParleyVoice).GetMethod("Update", flags);
        var filter = typeof(ParleyVoice).GetMethod("OnAudioFilterRead", flags);
        var spoken = new List<string>();
        var failures = new List<string>();
        ulong finished = 0, audioStarted = 0;
        npc.onTextSpoken.AddListener(t => spoken.Add(t));
        npc.onFailed.AddListener(m => failures.Add(m));
        npc.onTurnFinished.AddListener(t => finished = t);
        npc.onAudioStarted.AddListener(t => audioStarted = t);
        start.Invoke(npc, null);
        Check(go.GetComponent<AudioSource>().isPlaying, "Start plays the AudioSource so OnAudioFilterRead runs");

        float maxLevel = 0;
        bool stop = false;
        var audio = new Thread(() => {
            var data = new float[1024 * 2];  // Unity's DSP buffer, stereo
            var args = new object[] { data, 2 };
            while (!Volatile.Read(ref stop))
            {
                filter.Invoke(npc, args);
                maxLevel = Math.Max(maxLevel, npc.Level);
                Thread.Sleep(5);
            }
        });
        audio.Start();
        ulong turn = npc.Say("Hello there!");
        Check(turn != 0, "Say returns a turn id");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (finished != turn && DateTime.UtcNow < deadline) { update.Invoke(npc, null); Thread.Sleep(10); }
        Volatile.Write(ref stop, true);
        audio.Join();
        Check(finished == turn, "onTurnFinished fires for the turn");
        Check(audioStarted == turn, "onAudioStarted fires for the turn");
        Check(spoken.Count > 0, "onTextSpoken delivers subtitles");
        Check(maxLevel > 0.01f, "Level follows the audio pulled (max " + maxLevel + ")");
        Check(failures.Count == 0, "no failure: " + string.Join("; ", failures.ToArray()));
        Check(npc.Say("") == 0 && failures.Count == 1, "a bad line is reported through onFailed, not thrown");
        typeof(ParleyVoice).GetMethod("OnDestroy", flags).Invoke(npc, null);
    }

    static int Main(string[] args)
    {
        try
        {
            Layout(args[0]);
            ParleyRuntime.CheckVersion();
            Check(true, "API versions match");
            using (var runtime = new ParleyRuntime(Environment.GetEnvironmentVariable("PARLEY_TEST_CONFIG")))
            {
                NativeWrappers(runtime);
                MonoBehaviourDrivenLikeUnity();
            }
            Check(ParleyRuntime.Current == null, "Dispose shuts the runtime down");
        }
        catch (Exception e)
        {
            failed++;
            Console.Error.WriteLine("FAILED with " + e);
        }
        Console.WriteLine(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
