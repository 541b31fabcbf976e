using System.Runtime.InteropServices;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>A login of this machine, as the C library's user database knows it (files, LDAP, sssd …).</summary>
internal sealed record UnixUser(string Name, uint Uid, uint Gid, string Home)
{
    /// <summary>The user named <paramref name="name"/>, or null when this machine has none.</summary>
    public static UnixUser? Find(string name)
    {
        // getpwnam_r, not /etc/passwd: the name service may be configured to look elsewhere. ERANGE asks for a larger buffer.
        for (var size = 4096; size <= 1 << 20; size *= 4)
        {
            var buffer = Marshal.AllocHGlobal(size);
            try
            {
                var rc = getpwnam_r(name, out var entry, buffer, (nuint)size, out var found);
                if (rc == ERANGE) continue;
                if (rc != 0 || found == IntPtr.Zero) return null;
                return new UnixUser(Marshal.PtrToStringUTF8(entry.Name) ?? name, entry.Uid, entry.Gid, Marshal.PtrToStringUTF8(entry.Dir) ?? "/");
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }
        }
        return null;
    }

    private const int ERANGE = 34;

    /// <summary>glibc's <c>struct passwd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint Uid;
        public uint Gid;
        public IntPtr Gecos;
        public IntPtr Dir;
        public IntPtr Shell;
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern int getpwnam_r([MarshalAs(UnmanagedType.LPUTF8Str)] string name, out Passwd entry, IntPtr buffer, nuint size, out IntPtr result);
}
