package burk.cli;

import burk.runtime.ContainerMonitor;
import burk.runtime.ContainerRuntime;
import burk.runtime.EventStats;
import burk.runtime.RuntimeError;
import burk.spec.Json;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code burk events [--stats] [--interval D] ID}: runc's event stream, one JSON object per line.
 * {@code --stats} prints the container's statistics once. Otherwise a {@code stats} event comes
 * every interval and an {@code oom} event each time the cgroup's OOM kill count grows (burk polls
 * the count ten times a second rather than holding an eventfd, which works the same on both cgroup
 * versions), until the container's init exits.
 */
final class EventsCommand {
    private EventsCommand() {}

    static final List<Flags.Def> FLAGS = List.of(
            Flags.Def.value("set the stats collection interval (default: 5s)", "interval"),
            Flags.Def.bool("display the container's stats then exit", "stats"), Flags.HELP);

    private static final long OOM_POLL_NANOS = 100_000_000L;

    static int run(ContainerRuntime rt, List<String> args, PrintStream out) throws UsageError, RuntimeError {
        Flags f = Flags.parse(args, FLAGS);
        if (f.bool("help")) return Help.command("events", out);
        String id = f.onlyArgument("events");
        Duration interval;
        try {
            interval = GoDuration.parse(f.value("interval", "5s"));
        } catch (UsageError e) {
            throw new UsageError("invalid value \"" + f.value("interval", "") + "\" for flag -interval: " + e.getMessage());
        }
        if (interval.isNegative() || interval.isZero()) throw new RuntimeError("duration interval must be greater than 0");
        ContainerMonitor mon = rt.monitor(id);
        if (f.bool("stats")) {
            emit(out, EventStats.event("stats", id, mon.stats().toJson()));
            return 0;
        }
        stream(mon, interval, out);
        return 0;
    }

    private static void stream(ContainerMonitor mon, Duration interval, PrintStream out) throws RuntimeError {
        long step = interval.toNanos();
        long nextStats = System.nanoTime() + step;
        long ooms = mon.oomKills();
        while (true) {
            long now = System.nanoTime();
            sleepNanos(Math.min(OOM_POLL_NANOS, Math.max(0, nextStats - now)));
            boolean running = mon.running();
            long count;
            try {
                count = mon.oomKills();
            } catch (RuntimeError e) {
                if (!running) return; // the cgroup went with the container
                throw e;
            }
            for (; ooms < count; ooms++) emit(out, EventStats.event("oom", mon.id(), null));
            if (!running) return;
            if (System.nanoTime() - nextStats >= 0) {
                emit(out, EventStats.event("stats", mon.id(), mon.stats().toJson()));
                nextStats += step;
            }
        }
    }

    private static void emit(PrintStream out, Object event) {
        out.println(Json.write(event));
        out.flush();
    }

    private static void sleepNanos(long n) throws RuntimeError {
        if (n <= 0) return;
        try {
            Thread.sleep(Duration.ofNanos(n));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeError("interrupted", e);
        }
    }
}
