package burk.seccomp;

import static burk.seccomp.CompiledFilter.hex;
import static burk.seccomp.ReferenceSemantics.ALLOW;
import static burk.seccomp.ReferenceSemantics.ERRNO;
import static burk.seccomp.ReferenceSemantics.KILL_PROCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultProfilesTest {

    static final int EPERM = ERRNO | 1;
    static final int ENOSYS = ERRNO | 38;
    static final long CLONE_NEWUSER = 0x1000_0000L;
    static final long CLONE_NEWNS = 0x0002_0000L;
    static final long SIGCHLD = 17;
    static final long THREAD_FLAGS = 0x3D0F00L; // what pthread_create passes

    @Test
    void x86_64WithDockerDefaultCapabilities() {
        CompiledFilter f = new CompiledFilter(DefaultProfiles.docker(Arch.X86_64), Arch.X86_64);
        Arch a = Arch.X86_64;
        for (String allowed : List.of("read", "write", "openat", "mmap", "futex", "execve", "exit_group", "chroot",
                "arch_prctl", "ptrace", "rseq", "getrandom")) {
            assertEquals(hex(ALLOW), hex(f.call(a, allowed)), allowed);
        }
        for (String denied : List.of("kexec_load", "kexec_file_load", "keyctl", "add_key", "request_key", "mount",
                "umount2", "unshare", "setns", "reboot", "init_module", "swapon", "bpf", "perf_event_open",
                "io_uring_setup", "userfaultfd", "open_by_handle_at", "settimeofday", "iopl", "acct")) {
            assertEquals(hex(EPERM), hex(f.call(a, denied)), denied);
        }
        assertEquals(hex(ALLOW), hex(f.call(a, "clone", SIGCHLD)));
        assertEquals(hex(ALLOW), hex(f.call(a, "clone", THREAD_FLAGS)));
        assertEquals(hex(EPERM), hex(f.call(a, "clone", CLONE_NEWUSER | SIGCHLD)));
        assertEquals(hex(EPERM), hex(f.call(a, "clone", CLONE_NEWNS)));
        assertEquals(hex(ENOSYS), hex(f.call(a, "clone3")), "clone3 answers ENOSYS so libc falls back to clone");
        assertEquals(hex(ALLOW), hex(f.call(a, "socket", 2 /* AF_INET */)));
        assertEquals(hex(ALLOW), hex(f.call(a, "socket", 1 /* AF_UNIX */)));
        assertEquals(hex(EPERM), hex(f.call(a, "socket", 40 /* AF_VSOCK */)));
        assertEquals(hex(ALLOW), hex(f.call(a, "personality", 0)));
        assertEquals(hex(ALLOW), hex(f.call(a, "personality", 0xFFFF_FFFFL)));
        assertEquals(hex(EPERM), hex(f.call(a, "personality", 0x0040_0000L /* READ_IMPLIES_EXEC */)));
        assertEquals(hex(ENOSYS), hex(f.call(a, 1000)), "a syscall newer than the profile");

        // The compat ABIs an x86_64 kernel runs.
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86, "read")));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X86, "socketcall")));
        assertEquals(hex(EPERM), hex(f.call(Arch.X86, "keyctl")));
        assertEquals(hex(ALLOW), hex(f.call(Arch.X32, "read")));
        assertEquals(hex(EPERM), hex(f.call(Arch.X32, "kexec_load")));
        assertEquals(hex(KILL_PROCESS), hex(f.call(Arch.AARCH64, "read")));
        assertTrue(f.bpf.length() < SeccompCompiler.MAX_INSTRUCTIONS, "length " + f.bpf.length());
    }

    @Test
    void aCallRunsFewInstructions() {
        CompiledFilter f = new CompiledFilter(DefaultProfiles.docker(Arch.X86_64), Arch.X86_64);
        int calls = 0;
        for (int nr = 0; nr < 470; nr++) {
            f.call(Arch.X86_64, nr, 17, 0, 0, 0, 0, 0);
            calls++;
        }
        double perCall = (double) f.bpf.executed() / calls;
        // A binary search over ~60 number ranges: about a dozen instructions, not hundreds.
        assertTrue(perCall < 16, "instructions per call: " + perCall);
        System.out.println("docker profile, x86_64: " + f.bpf.length() + " instructions, " + perCall + " run per call");
    }

    @Test
    void capabilitiesOpenTheirSyscalls() {
        Set<String> caps = new HashSet<>(DefaultProfiles.DOCKER_DEFAULT_CAPABILITIES);
        caps.addAll(Set.of("CAP_SYS_ADMIN", "CAP_SYS_TIME", "CAP_SYS_MODULE", "CAP_SYS_PTRACE"));
        caps.remove("CAP_SYS_CHROOT");
        CompiledFilter f = new CompiledFilter(DefaultProfiles.docker(Arch.X86_64, caps), Arch.X86_64);
        Arch a = Arch.X86_64;
        for (String allowed : List.of("mount", "umount2", "unshare", "setns", "clone3", "sethostname",
                "settimeofday", "clock_settime", "init_module", "finit_module", "kcmp", "pidfd_getfd")) {
            assertEquals(hex(ALLOW), hex(f.call(a, allowed)), allowed);
        }
        assertEquals(hex(ALLOW), hex(f.call(a, "clone", CLONE_NEWUSER | SIGCHLD)));
        assertEquals(hex(EPERM), hex(f.call(a, "chroot")), "CAP_SYS_CHROOT was dropped");
        assertEquals(hex(EPERM), hex(f.call(a, "kexec_load")));
        assertEquals(hex(EPERM), hex(f.call(a, "keyctl")));
    }

    @Test
    void arm64AllowsArmCompatAndItsPrivateCalls() {
        CompiledFilter f = new CompiledFilter(DefaultProfiles.docker(Arch.AARCH64), Arch.AARCH64);
        assertEquals(hex(ALLOW), hex(f.call(Arch.AARCH64, "read")));
        assertEquals(hex(EPERM), hex(f.call(Arch.AARCH64, "kexec_load")));
        assertEquals(hex(ALLOW), hex(f.call(Arch.ARM, "read")));
        assertEquals(hex(ALLOW), hex(f.call(Arch.ARM, "set_tls")));
        assertEquals(hex(ALLOW), hex(f.call(Arch.ARM, "cacheflush")));
        assertEquals(hex(EPERM), hex(f.call(Arch.ARM, "keyctl")));
        assertEquals(hex(ALLOW), hex(f.call(Arch.ARM, "clone", SIGCHLD)));
        assertEquals(hex(EPERM), hex(f.call(Arch.ARM, "clone", CLONE_NEWUSER)));
        assertEquals(hex(KILL_PROCESS), hex(f.call(Arch.X86_64, "read")));
    }

    @Test
    void s390xChecksCloneFlagsInTheSecondArgument() {
        CompiledFilter f = new CompiledFilter(DefaultProfiles.docker(Arch.S390X), Arch.S390X);
        assertEquals(hex(ALLOW), hex(f.call(Arch.S390X, "clone", 0, SIGCHLD)));
        assertEquals(hex(EPERM), hex(f.call(Arch.S390X, "clone", 0, CLONE_NEWUSER)));
        assertEquals(hex(ALLOW), hex(f.call(Arch.S390, "clone", 0, SIGCHLD)));
        assertEquals(hex(ENOSYS), hex(f.call(Arch.S390X, 0)));
    }

    @Test
    void everyKernelArchitectureGetsAProgramTheKernelAccepts() {
        for (Arch kernel : Arch.values()) {
            if (!kernel.isKernel()) {
                continue;
            }
            CompiledFilter f = new CompiledFilter(DefaultProfiles.docker(kernel), kernel);
            assertTrue(f.bpf.length() < SeccompCompiler.MAX_INSTRUCTIONS, kernel + ": " + f.bpf.length());
            for (Arch abi : kernel.abisOfKernel()) {
                assertEquals(hex(ALLOW), hex(f.call(abi, "read")), abi.name());
                assertEquals(hex(ALLOW), hex(f.call(abi, "exit_group")), abi.name());
                assertEquals(hex(EPERM), hex(f.call(abi, "kexec_load")), abi.name());
            }
        }
    }

    @Test
    void everyNameInTheProfileExistsOnSomeArchitecture() {
        Set<String> unknown = new HashSet<>();
        Set<String> caps = Set.of("CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_CHROOT", "CAP_SYS_MODULE",
                "CAP_SYS_PACCT", "CAP_SYS_PTRACE", "CAP_SYS_RAWIO", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG",
                "CAP_SYS_NICE", "CAP_SYSLOG", "CAP_BPF", "CAP_PERFMON", "CAP_DAC_READ_SEARCH");
        for (Arch kernel : Arch.values()) {
            if (!kernel.isKernel()) {
                continue;
            }
            for (var rule : DefaultProfiles.docker(kernel, caps).syscalls()) {
                for (String name : rule.names()) {
                    boolean known = false;
                    for (Arch abi : Arch.values()) {
                        known |= abi.syscallNumber(name).isPresent();
                    }
                    if (!known) {
                        unknown.add(name);
                    }
                }
            }
        }
        assertEquals(Set.of(), unknown, "names no table has: typos?");
    }
}
