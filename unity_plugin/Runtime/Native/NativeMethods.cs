// Raw P/Invoke declarations of parley.h, one per C function, and the structs it exchanges,
// laid out exactly as in C (checked against the C compiler's sizeof/offsetof by the Mono tests).
// Nothing here allocates or throws; Parley.Native's wrappers add safety on top.
using System;
using System.Runtime.InteropServices;

namespace Parley.Native
{
    public enum ParleyStatus
    {
        Ok = 0,
        InvalidArgument = -1,
        InvalidHandle = -2,
        NotInitialized = -3,
        AlreadyInitialized = -4,
        Busy = -5,
        Model = -6,
        Python = -7,
        OutOfMemory = -8,
        Internal = -9,
    }

    public enum ParleyEventType
    {
        TurnStarted = 1,
        Text = 2,
        AudioReady = 3,
        AudioStarted = 4,
        NarrativeFirstToken = 5,
        TurnDone = 6,
        Cancelled = 7,
        Error = 8,
        Underrun = 9,
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ParleyInitParams
    {
        public IntPtr config;       // const char *, UTF-8
        public IntPtr python_home;  // const char *, UTF-8
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ParleyVoiceId
    {
        public uint id;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ParleyVoiceParams
    {
        public int sample_rate;
        public int channels;
        public int buffer_ms;
        public IntPtr persona;    // const char *, UTF-8
        public IntPtr tts_voice;  // const char *, UTF-8
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ParleyEventRaw
    {
        public int type;
        public ulong turn;
        public long frame;
        public long t_us;
        public IntPtr text;  // const char *, UTF-8, owned by libparley until the next poll
    }

    public static unsafe class NativeMethods
    {
        public const string Library = "parley";
        public const uint ApiVersion = 1;  // PARLEY_API_VERSION of the header these declarations mirror

        [DllImport(Library)] public static extern uint parley_api_version();
        [DllImport(Library)] public static extern IntPtr parley_status_string(ParleyStatus status);
        [DllImport(Library)] public static extern IntPtr parley_last_error();
        [DllImport(Library)] public static extern ParleyInitParams parley_default_init_params();
        [DllImport(Library)] public static extern ParleyStatus parley_init(ref ParleyInitParams init);
        [DllImport(Library)] public static extern void parley_shutdown();
        [DllImport(Library)] public static extern void parley_log_set(IntPtr callback, IntPtr userData);
        [DllImport(Library)] public static extern ParleyVoiceParams parley_default_voice_params();
        [DllImport(Library)] public static extern ParleyStatus parley_voice_create(ref ParleyVoiceParams voiceParams, out ParleyVoiceId voice);
        [DllImport(Library)] public static extern ParleyStatus parley_voice_get_params(ParleyVoiceId voice, out ParleyVoiceParams voiceParams);
        [DllImport(Library)] public static extern ParleyStatus parley_voice_destroy(ParleyVoiceId voice);
        [DllImport(Library)] public static extern ParleyStatus parley_turn_start(ParleyVoiceId voice, byte* playerTextUtf8, out ulong turn);
        [DllImport(Library)] public static extern ParleyStatus parley_speak(ParleyVoiceId voice, byte* lineUtf8, out ulong turn);
        [DllImport(Library)] public static extern ParleyStatus parley_turn_cancel(ParleyVoiceId voice);
        // Audio thread: pass a pinned buffer; the call never blocks, locks or allocates.
        [DllImport(Library)] public static extern int parley_pull(ParleyVoiceId voice, float* interleaved, int frames);
        [DllImport(Library)] public static extern long parley_voice_position(ParleyVoiceId voice);
        [DllImport(Library)] public static extern int parley_poll_event(ParleyVoiceId voice, out ParleyEventRaw ev);
    }
}
