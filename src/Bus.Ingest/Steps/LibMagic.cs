using System.Runtime.InteropServices;

namespace Bus.Ingest.Steps;

/// <summary>
/// MIME type of a buffer through Debian's libmagic1 (libmagic.so.1). One cookie per instance, used
/// under a lock: libmagic cookies are not thread-safe. Null when libmagic is missing or cannot tell.
/// </summary>
public sealed partial class LibMagic : IDisposable
{
    private const int MagicMimeType = 0x10;
    private readonly Lock _lock = new();
    private IntPtr _cookie;

    public LibMagic()
    {
        try
        {
            _cookie = NativeMethods.magic_open(MagicMimeType);
            if (_cookie != IntPtr.Zero && NativeMethods.magic_load(_cookie, null) != 0)
            {
                NativeMethods.magic_close(_cookie);
                _cookie = IntPtr.Zero;
            }
        }
        catch (DllNotFoundException) { _cookie = IntPtr.Zero; }
    }

    public bool Available => _cookie != IntPtr.Zero;

    public string? MimeType(ReadOnlySpan<byte> head)
    {
        if (!Available) return null;
        lock (_lock)
        {
            unsafe
            {
                fixed (byte* p = head)
                {
                    var result = NativeMethods.magic_buffer(_cookie, (IntPtr)p, (nuint)head.Length);
                    return result == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(result);
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_cookie != IntPtr.Zero) NativeMethods.magic_close(_cookie);
            _cookie = IntPtr.Zero;
        }
    }

    private static partial class NativeMethods
    {
        private const string Library = "libmagic.so.1";

        [LibraryImport(Library)]
        internal static partial IntPtr magic_open(int flags);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int magic_load(IntPtr cookie, string? filename);

        [LibraryImport(Library)]
        internal static partial IntPtr magic_buffer(IntPtr cookie, IntPtr buffer, nuint length);

        [LibraryImport(Library)]
        internal static partial void magic_close(IntPtr cookie);
    }
}
