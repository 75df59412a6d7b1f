package burk.runtime;

import burk.runtime.plan.Namespace;
import burk.runtime.plan.Plan;
import burk.runtime.plan.Step;
import burk.spec.LinuxNamespace;
import burk.spec.ProcessSpec;
import burk.spec.RuntimeSpec;

import java.nio.file.Path;

/**
 * The plan for {@code exec}: join every namespace of the container's init (the user namespace
 * first, because it grants the rights to join the others), fork once so the process is inside the
 * PID namespace (setns(CLONE_NEWPID) only moves children), wait until Java has put it in the
 * container's cgroup, then become process.* exactly as the init did.
 */
final class ExecPlanner {
    private static final int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_PATH = 0x200000;
    private static final int SLOT_NS_BASE = 10, SLOT_CONSOLE = 20, SLOT_CONSOLE_DIR = 21, SLOT_PTY_MASTER = 22,
            SLOT_ROOT = 23;

    private ExecPlanner() {}

    static Plan plan(RuntimeSpec container, int initPid, ProcessSpec p, Path consoleSocket) {
        Plan.Builder plan = new Plan.Builder();
        if (p.terminal()) {
            Path sock = consoleSocket.toAbsolutePath();
            plan.add(new Step.Open(SLOT_CONSOLE_DIR, O_PATH | O_DIRECTORY, sock.getParent().toString()),
                    "the console socket's directory, so a long path still fits a socket address");
            plan.add(new Step.Connect(SLOT_CONSOLE, SLOT_CONSOLE_DIR, sock.getFileName().toString()),
                    "--console-socket: connected from the host, before the container's namespaces hide it");
            plan.add(new Step.Close(SLOT_CONSOLE_DIR), "no host directory stays open in the container");
        }
        boolean hostMountNs = ContainerRuntime.inHostMountNamespace(container);
        if (hostMountNs) {
            // No mount namespace to join: the container's root is the init's chroot, which only
            // the init's /proc entry leads to.
            plan.add(new Step.Open(SLOT_ROOT, O_PATH | O_DIRECTORY, "/proc/" + initPid + "/root"),
                    "the container's root: its init's root directory (the container has no mount namespace)");
        }
        boolean userNs = false;
        int slot = SLOT_NS_BASE;
        java.util.List<Step.SetNs> joins = new java.util.ArrayList<>();
        for (Namespace n : Namespace.values()) {
            boolean listed = false;
            for (LinuxNamespace ns : container.linuxOrEmpty().namespaces()) {
                if (Namespace.bySpecName(ns.type().spec()) == n) listed = true;
            }
            if (!listed) continue;
            if (n == Namespace.USER) userNs = true;
            String path = "/proc/" + initPid + "/ns/" + n.procName();
            // All are opened before the first setns: after joining the mount namespace, /proc is
            // the container's and no longer shows the init under its host pid.
            plan.add(new Step.Open(slot, O_RDONLY, path), "the container's " + n.specName() + " namespace");
            joins.add(new Step.SetNs(slot, n, path));
            slot++;
        }
        for (Step.SetNs j : joins) {
            plan.add(j, j.ns() == Namespace.USER
                    ? "join the user namespace first: it grants the rights to join the others"
                    : "exec runs in every namespace of the container");
            plan.add(new Step.Close(j.slot()), "no namespace fd stays open in the container");
        }
        if (hostMountNs) {
            plan.add(new Step.Chroot(SLOT_ROOT, "/proc/" + initPid + "/root", false),
                    "exec runs in the container's root, as its init does (a plain chroot: the mount namespace is the host's)");
            plan.add(new Step.Close(SLOT_ROOT), "no directory fd stays open in the container");
        }
        plan.add(new Step.Clone(0), "fork: only a child of setns(CLONE_NEWPID) is inside the PID namespace");
        plan.add(new Step.Sync("place the process in the container's cgroup"),
                "the exec'd process is limited like the rest of the container");
        if (p.terminal()) {
            plan.add(new Step.OpenPty(SLOT_PTY_MASTER, Step.NO_SLOT),
                    "process.terminal: a pty from the container's devpts becomes the process's terminal and stdio");
            var size = p.consoleSize();
            if (size != null) {
                plan.add(new Step.SetWinsize(SLOT_PTY_MASTER, (int) size.height(), (int) size.width()), "process.consoleSize");
            }
            plan.add(new Step.SendFd(SLOT_CONSOLE, SLOT_PTY_MASTER, "/dev/ptmx"), "the terminal's master goes to the console socket");
            plan.add(new Step.Close(SLOT_PTY_MASTER), "the process keeps only its side of the terminal");
            plan.add(new Step.Close(SLOT_CONSOLE), "the console socket is not the container's");
        }
        ProcessPlanner.addMemoryPolicy(plan, container);
        ProcessPlanner.addProcessSteps(plan, p, ProcessPlanner.compileSeccomp(container), userNs, -1);
        return plan.build();
    }
}
