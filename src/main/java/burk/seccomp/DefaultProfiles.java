package burk.seccomp;

import burk.seccomp.SeccompProfile.Action;
import burk.seccomp.SeccompProfile.ArgCondition;
import burk.seccomp.SeccompProfile.Operator;
import burk.seccomp.SeccompProfile.SyscallRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * burk's default seccomp profile: an allow-list equivalent to the one Docker and Podman apply
 * when a container asks for no profile of its own. Anything not allowed fails with EPERM, and a
 * syscall newer than the list with ENOSYS (the compiler's ENOSYS rule), so libcs fall back.
 *
 * <p>Some syscalls are allowed only with the capability that makes them meaningful (mount needs
 * CAP_SYS_ADMIN whatever seccomp says; denying it in seccomp too keeps the kernel surface small
 * for containers that do not have it).
 */
public final class DefaultProfiles {

    /** The capabilities Docker gives a container by default. */
    public static final Set<String> DOCKER_DEFAULT_CAPABILITIES = Set.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    /** The namespace flags of clone(2): CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET. */
    static final long CLONE_NAMESPACE_FLAGS = 0x0002_0000L | 0x0200_0000L | 0x0400_0000L | 0x0800_0000L
            | 0x1000_0000L | 0x2000_0000L | 0x4000_0000L;

    /** socket(2) family AF_VSOCK: host/guest sockets a container has no business opening. */
    static final long AF_VSOCK = 40;

    /** personality(2) values that only change how uname and 32-bit emulation look. */
    static final long[] HARMLESS_PERSONALITIES = {
            0x0,         // PER_LINUX
            0x0008,      // PER_LINUX32
            0x20000,     // UNAME26
            0x20008,     // UNAME26 | PER_LINUX32
            0xFFFF_FFFFL // query the current personality
    };

    private DefaultProfiles() {}

    /** The default profile for a container with Docker's default capabilities. */
    public static SeccompProfile docker(Arch kernel) {
        return docker(kernel, DOCKER_DEFAULT_CAPABILITIES);
    }

    /**
     * The default profile for a container on a kernel of architecture {@code kernel} whose
     * bounding set holds {@code capabilities} (names such as {@code CAP_SYS_ADMIN}).
     */
    public static SeccompProfile docker(Arch kernel, Set<String> capabilities) {
        List<SyscallRule> rules = new ArrayList<>();
        rules.add(allow(ALWAYS_ALLOWED));

        for (long persona : HARMLESS_PERSONALITIES) {
            rules.add(allowIf("personality", new ArgCondition(0, persona, 0, Operator.EQ)));
        }
        rules.add(allowIf("socket", new ArgCondition(0, AF_VSOCK, 0, Operator.NE)));

        switch (kernel) {
            case X86_64 -> rules.add(allow("arch_prctl", "modify_ldt"));
            case X86 -> rules.add(allow("modify_ldt"));
            case AARCH64, ARM -> rules.add(allow("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2",
                    "breakpoint", "cacheflush", "set_tls"));
            case PPC64LE, PPC64, PPC -> rules.add(allow("sync_file_range2", "swapcontext"));
            case S390X, S390 -> rules.add(allow("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"));
            case RISCV64 -> rules.add(allow("riscv_flush_icache"));
            default -> { }
        }

        boolean sysAdmin = capabilities.contains("CAP_SYS_ADMIN");
        if (sysAdmin) {
            rules.add(allow("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                    "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
                    "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
                    "umount2", "unshare"));
        } else {
            // Without CAP_SYS_ADMIN a container may fork and make threads but not new namespaces.
            // On s390 clone's flags are the second argument (the stack comes first).
            int flagsArg = kernel == Arch.S390X || kernel == Arch.S390 ? 1 : 0;
            rules.add(allowIf("clone", new ArgCondition(flagsArg, CLONE_NAMESPACE_FLAGS, 0, Operator.MASKED_EQ)));
            // clone3 passes its flags in memory, where seccomp cannot look: answer ENOSYS so that
            // libcs fall back to clone, whose flags the rule above can check.
            rules.add(new SyscallRule(List.of("clone3"), Action.ERRNO, kernel.enosys(), List.of()));
        }
        if (capabilities.contains("CAP_SYS_BOOT")) {
            rules.add(allow("reboot"));
        }
        if (capabilities.contains("CAP_SYS_CHROOT")) {
            rules.add(allow("chroot"));
        }
        if (capabilities.contains("CAP_SYS_MODULE")) {
            rules.add(allow("delete_module", "init_module", "finit_module"));
        }
        if (capabilities.contains("CAP_SYS_PACCT")) {
            rules.add(allow("acct"));
        }
        if (capabilities.contains("CAP_SYS_PTRACE")) {
            rules.add(allow("kcmp", "pidfd_getfd", "process_madvise"));
        }
        if (capabilities.contains("CAP_SYS_RAWIO")) {
            rules.add(allow("iopl", "ioperm"));
        }
        if (capabilities.contains("CAP_SYS_TIME")) {
            rules.add(allow("settimeofday", "stime", "clock_settime", "clock_settime64"));
        }
        if (capabilities.contains("CAP_SYS_TTY_CONFIG")) {
            rules.add(allow("vhangup"));
        }
        if (capabilities.contains("CAP_SYS_NICE")) {
            rules.add(allow("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"));
        }
        if (capabilities.contains("CAP_SYSLOG")) {
            rules.add(allow("syslog"));
        }
        if (capabilities.contains("CAP_BPF")) {
            rules.add(allow("bpf"));
        }
        if (capabilities.contains("CAP_PERFMON")) {
            rules.add(allow("perf_event_open"));
        }
        if (capabilities.contains("CAP_DAC_READ_SEARCH")) {
            rules.add(allow("open_by_handle_at"));
        }

        return new SeccompProfile(Action.ERRNO, kernel.eperm(), kernel.abisOfKernel(), Set.of(), null, null, rules);
    }

    private static SyscallRule allow(String... names) {
        return new SyscallRule(List.of(names), Action.ALLOW, null, List.of());
    }

    private static SyscallRule allowIf(String name, ArgCondition condition) {
        return new SyscallRule(List.of(name), Action.ALLOW, null, List.of(condition));
    }

    /**
     * Syscalls any container may make: files, memory, processes, signals, time, sockets, IPC,
     * and the calls that only manage the caller's own resources. Left out on purpose (EPERM):
     * kernel keyrings (keyctl, add_key, request_key), kexec, module loading, swapon/swapoff,
     * mount and namespace calls, clock setting, io_uring, userfaultfd, and other calls that reach
     * kernel state shared with the host.
     */
    private static final String[] ALWAYS_ALLOWED = {
            "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget", "capset",
            "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
            "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
            "close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
            "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
            "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
            "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
            "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr",
            "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
            "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait",
            "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
            "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
            "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
            "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid",
            "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32",
            "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
            "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
            "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
            "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr",
            "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise",
            "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
            "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify",
            "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
            "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall",
            "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2",
            "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect",
            "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease",
            // ptrace and process_vm_* are only as strong as the kernel's own ptrace checks (Docker
            // allows them from Linux 4.8, which closed the seccomp bypass through ptrace).
            "process_vm_readv", "process_vm_writev", "ptrace",
            "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
            "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages",
            "removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
            "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
            "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
            "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
            "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
            "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
            "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
            "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
            "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
            "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid", "setsockopt",
            "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt",
            "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall",
            "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
            "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
            "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
            "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
            "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
            "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid",
            "write", "writev",
    };
}
