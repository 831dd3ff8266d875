using System;
using System.Runtime.InteropServices;

namespace Parley.Native
{
    /// <summary>
    /// The process-wide Parley runtime: parley_init on construction, parley_shutdown on Dispose.
    /// Construction loads and warms the models (seconds): do it on a loading thread.
    /// </summary>
    public sealed class ParleyRuntime : IDisposable
    {
        static readonly object Gate = new object();
        static ParleyRuntime current;
        bool disposed;

        /// <param name="config">JSON text or a .json/.toml path; null = the embedded CPU default.</param>
        /// <param name="pythonHome">The virtual environment to run from; null = the one libparley is installed in.</param>
        public unsafe ParleyRuntime(string config = null, string pythonHome = null)
        {
            CheckVersion();
            lock (Gate)
            {
                var p = NativeMethods.parley_default_init_params();
                fixed (byte* cfg = Utf8.ToNative(config))
                fixed (byte* home = Utf8.ToNative(pythonHome))
                {
                    p.config = (IntPtr)cfg;
                    p.python_home = (IntPtr)home;
                    ParleyException.Check(NativeMethods.parley_init(ref p), "parley_init");
                }
                current = this;
            }
        }

        /// <summary>The runtime that is up, or null.</summary>
        public static ParleyRuntime Current { get { lock (Gate) return current; } }

        /// <summary>Throws if the loaded libparley implements another API version than these bindings.</summary>
        public static void CheckVersion()
        {
            uint v = NativeMethods.parley_api_version();
            if (v != NativeMethods.ApiVersion)
                throw new ParleyException(ParleyStatus.Internal, "libparley implements API " + v + " but these bindings expect " + NativeMethods.ApiVersion + ": update the plugin's native library");
        }

        public ParleyVoiceHandle CreateVoice(int sampleRate, int channels, string persona = null, string ttsVoice = null)
        {
            if (disposed) throw new ObjectDisposedException(nameof(ParleyRuntime));
            return ParleyVoiceHandle.Create(sampleRate, channels, persona, ttsVoice);
        }

        public void Dispose()
        {
            lock (Gate)
            {
                if (disposed) return;
                disposed = true;
                if (current == this) current = null;
                NativeMethods.parley_shutdown();
            }
        }
    }
}
