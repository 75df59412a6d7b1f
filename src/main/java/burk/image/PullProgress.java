package burk.image;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pull shows a person: on a terminal, one line per layer redrawn in place (ANSI cursor
 * movement), at most ten times a second; otherwise, one plain line per event, fit for a log.
 */
public final class PullProgress {
    private final PrintStream out;
    private final boolean terminal;
    private final Map<Digest, long[]> layers = new LinkedHashMap<>();
    private final Map<Digest, String> states = new LinkedHashMap<>();
    private int drawnLines;
    private long lastDraw;

    public PullProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Progress on {@code out}, redrawn in place when this process has a terminal. */
    public static PullProgress to(PrintStream out) {
        return new PullProgress(out, System.console() != null && System.console().isTerminal());
    }

    synchronized void message(String line) {
        if (out == null) return;
        if (terminal) {
            clear();
            out.println(line);
            drawnLines = 0;
            draw(true);
        } else {
            out.println(line);
        }
    }

    synchronized void start(Descriptor d, String state) {
        layers.put(d.digest(), new long[] {0, d.size()});
        states.put(d.digest(), state);
        if (out == null) return;
        if (!terminal) out.println(d.digest().shortHex() + ": " + state + " (" + d.size() + " bytes)");
        else draw(true);
    }

    synchronized void advance(Digest d, long done) {
        long[] l = layers.get(d);
        if (l == null) return;
        l[0] = done;
        states.put(d, "Downloading");
        if (terminal && out != null) draw(false);
    }

    synchronized void finish(Digest d, String state) {
        states.put(d, state);
        long[] l = layers.get(d);
        if (l != null) l[0] = l[1];
        if (out == null) return;
        if (!terminal) out.println(d.shortHex() + ": " + state);
        else draw(true);
    }

    private void clear() {
        for (int i = 0; i < drawnLines; i++) out.print("\033[1A\033[2K");
    }

    private void draw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        clear();
        List<String> lines = new ArrayList<>();
        for (Map.Entry<Digest, long[]> e : layers.entrySet()) {
            long[] l = e.getValue();
            String st = states.get(e.getKey());
            String bar = "";
            if (st.equals("Downloading") && l[1] > 0) {
                int w = 30, fill = (int) (w * l[0] / l[1]);
                bar = " [" + "=".repeat(Math.max(0, fill - 1)) + (fill > 0 ? ">" : "") + " ".repeat(w - fill) + "] "
                        + human(l[0]) + "/" + human(l[1]);
            }
            lines.add(e.getKey().shortHex() + ": " + st + bar);
        }
        for (String s : lines) out.println(s);
        drawnLines = lines.size();
        out.flush();
    }

    private static String human(long b) {
        if (b < 1000) return b + "B";
        if (b < 1_000_000) return String.format("%.1fkB", b / 1e3);
        if (b < 1_000_000_000) return String.format("%.1fMB", b / 1e6);
        return String.format("%.2fGB", b / 1e9);
    }
}
