using System;
using System.Runtime.InteropServices;

namespace Parley.Native
{
    /// <summary>An event as the main thread sees it.</summary>
    public struct ParleyEvent
    {
        public ParleyEventType Type;
        public ulong Turn;
        public long Frame;      // stream position where it applies (see Position)
        public long TimeUs;     // since the turn started; -1 where unknown
        public string Text;     // chunk text, error message, or the TURN_DONE JSON summary
    }

    /// <summary>
    /// A voice: a SafeHandle around the generation-checked id, so that a double Dispose, a use after
    /// Dispose or a forgotten Dispose (finalizer) never reaches libparley as a bad call.
    /// </summary>
    public sealed class ParleyVoiceHandle : SafeHandle
    {
        ParleyVoiceHandle() : base(IntPtr.Zero, true) { }

        public int SampleRate { get; private set; }
        public int Channels { get; private set; }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        ParleyVoiceId Id
        {
            get
            {
                if (IsClosed || IsInvalid) throw new ObjectDisposedException(nameof(ParleyVoiceHandle));
                return new ParleyVoiceId { id = (uint)handle.ToInt64() };
            }
        }

        internal static unsafe ParleyVoiceHandle Create(int sampleRate, int channels, string persona, string ttsVoice)
        {
            var p = NativeMethods.parley_default_voice_params();
            p.sample_rate = sampleRate;
            p.channels = channels;
            ParleyVoiceId id;
            fixed (byte* per = Utf8.ToNative(persona))
            fixed (byte* tts = Utf8.ToNative(ttsVoice))
            {
                p.persona = (IntPtr)per;
                p.tts_voice = (IntPtr)tts;
                ParleyException.Check(NativeMethods.parley_voice_create(ref p, out id), "parley_voice_create");
            }
            var voice = new ParleyVoiceHandle { SampleRate = sampleRate, Channels = channels };
            voice.SetHandle((IntPtr)(long)id.id);
            return voice;
        }

        /// <summary>Answers the player's line with the LLMs; a turn already speaking is cut off (barge-in).</summary>
        public unsafe ulong Say(string playerText)
        {
            ulong turn;
            fixed (byte* t = Utf8.ToNative(playerText))
                ParleyException.Check(NativeMethods.parley_turn_start(Id, t, out turn), "parley_turn_start");
            return turn;
        }

        /// <summary>Speaks a fixed line without the LLMs.</summary>
        public unsafe ulong Speak(string line)
        {
            ulong turn;
            fixed (byte* t = Utf8.ToNative(line))
                ParleyException.Check(NativeMethods.parley_speak(Id, t, out turn), "parley_speak");
            return turn;
        }

        public void Cancel() { ParleyException.Check(NativeMethods.parley_turn_cancel(Id), "parley_turn_cancel"); }

        /// <summary>
        /// Audio thread: fills <paramref name="interleaved"/> from the voice and zero-fills what is
        /// missing. Allocates nothing, throws nothing. Returns the frames of real audio (0 if
        /// disposed, or on any error: silence is the only safe answer on the audio thread).
        /// </summary>
        public unsafe int Pull(float[] interleaved, int channels)
        {
            int frames = interleaved.Length / Math.Max(1, channels);
            int n = 0;
            if (!IsClosed && !IsInvalid && channels == Channels)
            {
                var id = new ParleyVoiceId { id = (uint)handle.ToInt64() };
                fixed (float* p = interleaved) n = NativeMethods.parley_pull(id, p, frames);
                if (n < 0) n = 0;
            }
            int written = n * channels;
            if (written < interleaved.Length) Array.Clear(interleaved, written, interleaved.Length - written);
            return n;
        }

        /// <summary>Frames consumed from this voice's stream so far.</summary>
        public long Position
        {
            get
            {
                long p = NativeMethods.parley_voice_position(Id);
                if (p < 0) ParleyException.Check((int)p, "parley_voice_position");
                return p;
            }
        }

        /// <summary>Main thread: the next event, if any.</summary>
        public bool TryPollEvent(out ParleyEvent ev)
        {
            ParleyEventRaw raw;
            int got = ParleyException.Check(NativeMethods.parley_poll_event(Id, out raw), "parley_poll_event");
            ev = default(ParleyEvent);
            if (got == 0) return false;
            ev.Type = (ParleyEventType)raw.type;
            ev.Turn = raw.turn;
            ev.Frame = raw.frame;
            ev.TimeUs = raw.t_us;
            ev.Text = Utf8.FromNative(raw.text);
            return true;
        }

        protected override bool ReleaseHandle()
        {
            // After parley_shutdown the id is already dead; the call then just returns an error code.
            NativeMethods.parley_voice_destroy(new ParleyVoiceId { id = (uint)handle.ToInt64() });
            return true;
        }
    }
}
