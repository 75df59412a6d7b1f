package burk.cli;

import java.io.PrintStream;
import java.util.List;

/** Columns padded like Go's tabwriter with minwidth 12, padding 1, as runc list prints them. */
final class Table {
    private Table() {}

    static void print(List<String[]> rows, PrintStream out) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                sb.append(r[i]);
                if (i < cols - 1) sb.append(" ".repeat(Math.max(12, w[i] + 1) - r[i].length()));
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
