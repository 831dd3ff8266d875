using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Parley.Native
{
    /// <summary>A libparley call failed: <see cref="Status"/> is the code, the message says what to do.</summary>
    public sealed class ParleyException : Exception
    {
        public ParleyStatus Status { get; }

        public ParleyException(ParleyStatus status, string message) : base(message) { Status = status; }

        /// <summary>The one place a status becomes an exception (with parley_last_error's detail).</summary>
        internal static int Check(int status, string call)
        {
            if (status >= 0) return status;
            var s = (ParleyStatus)status;
            string what = Utf8.FromNative(NativeMethods.parley_status_string(s));
            string detail = Utf8.FromNative(NativeMethods.parley_last_error());
            throw new ParleyException(s, call + " failed: " + what + (detail.Length > 0 ? ": " + detail : ""));
        }

        internal static void Check(ParleyStatus status, string call) { Check((int)status, call); }
    }

    /// <summary>UTF-8 conversions for strings crossing the ABI.</summary>
    internal static class Utf8
    {
        public static byte[] ToNative(string text)
        {
            if (text == null) return null;
            int n = Encoding.UTF8.GetByteCount(text);
            var bytes = new byte[n + 1];  // NUL-terminated
            Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, 0);
            return bytes;
        }

        public static unsafe string FromNative(IntPtr p)
        {
            if (p == IntPtr.Zero) return string.Empty;
            byte* b = (byte*)p;
            int n = 0;
            while (b[n] != 0) n++;
            return Encoding.UTF8.GetString(b, n);
        }
    }
}
