package burk.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static burk.linux.Libc.INT;
import static burk.linux.Libc.LONG;
import static burk.linux.Libc.PTR;

/**
 * A route netlink socket (rtnetlink(7)) bound to one network namespace, and the few link and
 * address requests a runtime makes with it: find a device, list its addresses, move it to another
 * namespace under a new name, add an address, bring it up.
 *
 * <p>A netlink socket talks to the namespace it was created in for its whole life, so a socket in
 * the container's namespace is made by a short-lived thread that joins that namespace first
 * ({@link #openIn}): setns(CLONE_NEWNET) moves only the calling thread, and a thread that ends
 * takes its namespace with it, so the JVM's other threads never leave the runtime's namespace.
 */
public final class RtNetlink implements AutoCloseable {
    private static final int AF_NETLINK = 16, SOCK_RAW = 3, NETLINK_ROUTE = 0;
    private static final int CLONE_NEWNET = 0x40000000;

    private static final short RTM_NEWLINK = 16, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_GETADDR = 22;
    private static final short NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private static final short NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400,
            NLM_F_DUMP = 0x300;
    private static final short IFLA_IFNAME = 3, IFLA_NET_NS_FD = 28;
    /** ifaddrmsg attributes: the address, the local address (IPv4), the broadcast address, 32-bit flags. */
    public static final short IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4, IFA_FLAGS = 8;
    /** ifi_flags: the device is administratively up. */
    public static final int IFF_UP = 1;
    /** ifa_flags: an address configured by someone, not learnt (autoconf) or temporary. */
    public static final int IFA_F_PERMANENT = 0x80;
    /** ifa_scope: an address valid beyond this host. */
    public static final int RT_SCOPE_UNIVERSE = 0;

    private static final int HEADER = 16, IFINFO = 16, IFADDR = 8;
    private static final int RECV_BUFFER = 64 * 1024;

    private static final class Socket { static final MethodHandle H =
            Libc.linkErrno("socket", FunctionDescriptor.of(INT, INT, INT, INT)); }
    private static final class SetNs { static final MethodHandle H =
            Libc.linkErrno("setns", FunctionDescriptor.of(INT, INT, INT)); }
    private static final class Send { static final MethodHandle H =
            Libc.linkErrno("send", FunctionDescriptor.of(LONG, INT, PTR, LONG, INT)); }
    private static final class Recv { static final MethodHandle H =
            Libc.linkErrno("recv", FunctionDescriptor.of(LONG, INT, PTR, LONG, INT)); }

    /** A network device: its index and name in the socket's namespace, and its ifi_flags. */
    public record Link(int index, String name, int flags) {
        public boolean isUp() { return (flags & IFF_UP) != 0; }
    }

    /**
     * An address of a device, as ifaddrmsg and its attributes describe it.
     *
     * @param attributes IFA_ADDRESS, IFA_LOCAL and IFA_BROADCAST as type to raw value (others dropped)
     */
    public record Address(int family, int prefixLength, int flags, int scope, java.util.Map<Short, byte[]> attributes) {
        public Address {
            attributes = java.util.Map.copyOf(attributes);
        }

        /** The address in the usual notation, e.g. {@code 169.254.10.1/32}. */
        @Override
        public String toString() {
            byte[] a = attributes.getOrDefault(IFA_LOCAL, attributes.get(IFA_ADDRESS));
            try {
                return (a == null ? "?" : java.net.InetAddress.getByAddress(a).getHostAddress()) + "/" + prefixLength;
            } catch (java.net.UnknownHostException e) {
                return "?/" + prefixLength;
            }
        }
    }

    private final Fd fd;
    private final String namespace;
    private int seq;

    private RtNetlink(Fd fd, String namespace) {
        this.fd = fd;
        this.namespace = namespace;
    }

    /** A socket in the caller's network namespace. */
    public static RtNetlink open() throws LinuxException {
        return new RtNetlink(socket(), "the runtime's network namespace");
    }

    /**
     * A socket in the network namespace {@code netns} refers to (an fd of /proc/PID/ns/net).
     *
     * @param what the namespace in words, for messages
     */
    public static RtNetlink openIn(Fd netns, String what) throws LinuxException {
        int nsFd = netns.get();
        Object[] result = new Object[1];
        Thread t = Thread.ofPlatform().name("burk-netns").unstarted(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment cap = Libc.newCapture(a);
                int rc = (int) SetNs.H.invokeExact(cap, nsFd, CLONE_NEWNET);
                if (rc < 0) {
                    result[0] = new LinuxException("setns", what, Libc.errno(cap));
                    return;
                }
                result[0] = socket();
            } catch (Throwable e) {
                result[0] = e;
            }
            // The thread ends here, still in the other namespace: nothing else runs on it.
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            try {
                t.join();
            } catch (InterruptedException ignored) {
                // the thread makes two calls: it ends anyway
            }
        }
        return switch (result[0]) {
            case Fd s -> new RtNetlink(s, what);
            case LinuxException e -> throw e;
            case Throwable e -> throw Libc.rethrow(e);
            case null, default -> throw new IllegalStateException("netns thread ended without a result");
        };
    }

    private static Fd socket() throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            int s = (int) Socket.H.invokeExact(cap, AF_NETLINK, SOCK_RAW | Syscalls.SOCK_CLOEXEC, NETLINK_ROUTE);
            if (s < 0) throw new LinuxException("socket", "AF_NETLINK NETLINK_ROUTE", Libc.errno(cap));
            return new Fd(s);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The device named {@code name}, or null when this namespace has none. */
    public Link link(String name) throws LinuxException {
        Message m = new Message(RTM_GETLINK, NLM_F_REQUEST).ifinfo(0, 0, 0).attr(IFLA_IFNAME, cString(name));
        try {
            List<ByteBuffer> replies = exchange(m, "find network device " + name);
            for (ByteBuffer r : replies) {
                if (r.getShort(4) == RTM_NEWLINK) return parseLink(r);
            }
            return null;
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENODEV) return null;
            throw e;
        }
    }

    /** Every device of this namespace. */
    public List<Link> links() throws LinuxException {
        Message m = new Message(RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_DUMP)).ifinfo(0, 0, 0);
        List<Link> out = new ArrayList<>();
        for (ByteBuffer r : exchange(m, "list network devices")) {
            if (r.getShort(4) == RTM_NEWLINK) out.add(parseLink(r));
        }
        return out;
    }

    /** The addresses of device {@code index}, of every family. */
    public List<Address> addresses(int index) throws LinuxException {
        // A dump cannot be filtered by device on every kernel: filter here.
        Message m = new Message(RTM_GETADDR, (short) (NLM_F_REQUEST | NLM_F_DUMP)).ifaddr(0, 0, 0, 0, 0);
        List<Address> out = new ArrayList<>();
        for (ByteBuffer r : exchange(m, "list addresses")) {
            if (r.getShort(4) != RTM_NEWADDR) continue;
            int family = r.get(HEADER) & 0xff, prefix = r.get(HEADER + 1) & 0xff, flags = r.get(HEADER + 2) & 0xff;
            int scope = r.get(HEADER + 3) & 0xff, ifindex = r.getInt(HEADER + 4);
            if (ifindex != index) continue;
            java.util.Map<Short, byte[]> attrs = new java.util.HashMap<>();
            for (Attr a : attrs(r, HEADER + IFADDR)) {
                switch (a.type) {
                    case IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST -> attrs.put(a.type, a.value);
                    case IFA_FLAGS -> flags = ByteBuffer.wrap(a.value).order(ByteOrder.nativeOrder()).getInt();
                    default -> { }
                }
            }
            out.add(new Address(family, prefix, flags, scope, attrs));
        }
        return out;
    }

    /**
     * Moves device {@code index} into the namespace {@code netns} refers to and names it
     * {@code name} there, in one request (RTM_NEWLINK with IFLA_NET_NS_FD and IFLA_IFNAME): the
     * kernel moves it under its own name when that is free there and then renames it; a name with
     * {@code %d} is a template the kernel fills in.
     */
    public void moveTo(int index, String name, Fd netns, String what) throws LinuxException {
        Message m = new Message(RTM_NEWLINK, (short) (NLM_F_REQUEST | NLM_F_ACK)).ifinfo(index, 0, 0)
                .attr(IFLA_IFNAME, cString(name)).attr(IFLA_NET_NS_FD, u32(netns.get()));
        exchange(m, what);
    }

    /** Adds {@code a} to device {@code index}. */
    public void addAddress(int index, Address a) throws LinuxException {
        Message m = new Message(RTM_NEWADDR, (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL))
                .ifaddr(a.family(), a.prefixLength(), 0, a.scope(), index);
        for (short type : new short[] {IFA_LOCAL, IFA_ADDRESS, IFA_BROADCAST}) {
            byte[] v = a.attributes().get(type);
            if (v != null) m.attr(type, v);
        }
        exchange(m, "add address " + a + " to network device " + index);
    }

    /** Brings device {@code index} up or down. */
    public void setUp(int index, boolean up) throws LinuxException {
        Message m = new Message(RTM_NEWLINK, (short) (NLM_F_REQUEST | NLM_F_ACK)).ifinfo(index, up ? IFF_UP : 0, IFF_UP);
        exchange(m, "set network device " + index + (up ? " up" : " down"));
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() { return "rtnetlink socket in " + namespace; }

    // --- transport -------------------------------------------------------------------------------

    /**
     * Sends {@code m} and collects the replies up to the ACK or the end of the dump.
     *
     * @throws LinuxException with the errno the kernel answered, {@code what} as its subject
     */
    private List<ByteBuffer> exchange(Message m, String what) throws LinuxException {
        int mySeq = ++seq;
        byte[] req = m.build(mySeq);
        boolean dump = (m.flags & NLM_F_DUMP) == NLM_F_DUMP;
        boolean ack = (m.flags & NLM_F_ACK) != 0;
        List<ByteBuffer> out = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.newCapture(a);
            MemorySegment buf = a.allocate(Math.max(req.length, RECV_BUFFER));
            MemorySegment.copy(req, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, req.length);
            long n = (long) Send.H.invokeExact(cap, fd.get(), buf, (long) req.length, 0);
            if (n < 0) throw new LinuxException("netlink send", what, Libc.errno(cap));
            while (true) {
                long r = (long) Recv.H.invokeExact(cap, fd.get(), buf, (long) RECV_BUFFER, 0);
                if (r < 0) {
                    int e = Libc.errno(cap);
                    if (e == Errno.EINTR) continue;
                    throw new LinuxException("netlink recv", what, e);
                }
                ByteBuffer bb = ByteBuffer.wrap(buf.asSlice(0, r).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                        .order(ByteOrder.nativeOrder());
                for (int off = 0; off + HEADER <= r; ) {
                    int len = bb.getInt(off);
                    if (len < HEADER || off + len > r) break;
                    ByteBuffer msg = bb.slice(off, len).order(ByteOrder.nativeOrder());
                    off += align(len);
                    if (msg.getInt(8) != mySeq) continue; // a stale reply of an earlier request
                    short type = msg.getShort(4);
                    if (type == NLMSG_ERROR) {
                        int err = -msg.getInt(HEADER);
                        if (err != 0) throw new LinuxException(what, "", err);
                        return out; // the ACK
                    }
                    if (type == NLMSG_DONE) return out;
                    out.add(msg);
                    if (!dump && !ack) return out;
                }
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static Link parseLink(ByteBuffer r) {
        int index = r.getInt(HEADER + 4), flags = r.getInt(HEADER + 8);
        String name = null;
        for (Attr a : attrs(r, HEADER + IFINFO)) {
            if (a.type == IFLA_IFNAME) name = fromCString(a.value);
        }
        return new Link(index, name, flags);
    }

    private record Attr(short type, byte[] value) {}

    private static List<Attr> attrs(ByteBuffer msg, int from) {
        List<Attr> out = new ArrayList<>();
        int end = msg.getInt(0);
        for (int off = from; off + 4 <= end; ) {
            int len = msg.getShort(off) & 0xffff;
            if (len < 4 || off + len > end) break;
            byte[] v = new byte[len - 4];
            msg.get(off + 4, v);
            out.add(new Attr((short) (msg.getShort(off + 2) & 0x3fff), v)); // without NLA_F_NESTED/NET_BYTEORDER
            off += align(len);
        }
        return out;
    }

    private static int align(int n) { return (n + 3) & ~3; }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    private static String fromCString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** One request: nlmsghdr, a fixed header (ifinfomsg or ifaddrmsg), then attributes. */
    private static final class Message {
        final short type, flags;
        private final ByteBuffer body = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());

        Message(short type, short flags) {
            this.type = type;
            this.flags = flags;
        }

        Message ifinfo(int index, int ifFlags, int change) {
            body.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(ifFlags).putInt(change);
            return this;
        }

        Message ifaddr(int family, int prefix, int ifaFlags, int scope, int index) {
            body.put((byte) family).put((byte) prefix).put((byte) ifaFlags).put((byte) scope).putInt(index);
            return this;
        }

        Message attr(short attrType, byte[] value) {
            body.putShort((short) (4 + value.length)).putShort(attrType).put(value);
            while (body.position() % 4 != 0) body.put((byte) 0);
            return this;
        }

        byte[] build(int seq) {
            int len = HEADER + body.position();
            ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
            b.putInt(len).putShort(type).putShort(flags).putInt(seq).putInt(0);
            b.put(body.array(), 0, body.position());
            return b.array();
        }
    }
}
