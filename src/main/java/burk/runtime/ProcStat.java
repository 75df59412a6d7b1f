package burk.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process as /proc/PID/stat shows it: its state letter and its start time in clock ticks since
 * boot. burk stores the start time with every pid it records and compares it before trusting the
 * pid again, because a pid is reused once its process has been reaped.
 */
record ProcStat(int pid, char state, long startTime) {

    /** The process, or null if there is none with this pid. */
    static ProcStat read(int pid) {
        if (pid <= 0) return null;
        String s;
        try {
            s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return null;
        }
        // comm (field 2) may contain spaces and parentheses: fields resume after the last ')'.
        int close = s.lastIndexOf(')');
        if (close < 0 || close + 2 >= s.length()) return null;
        String[] f = s.substring(close + 2).split(" ");
        // f[0] is field 3 (state); start time is field 22, i.e. f[19].
        if (f.length < 20) return null;
        return new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[19]));
    }

    /** True if {@code pid} still runs the process that started at {@code startTime} and has not exited. */
    static boolean isAlive(int pid, long startTime) {
        ProcStat p = read(pid);
        return p != null && p.startTime == startTime && p.state != 'Z' && p.state != 'X';
    }
}
