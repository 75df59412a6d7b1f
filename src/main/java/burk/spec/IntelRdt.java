package burk.spec;

import java.util.List;

/**
 * {@code linux.intelRdt}: resctrl settings. (1.1–1.2's {@code enableCMT}/{@code enableMBM}, replaced
 * by {@code enableMonitoring} in 1.3, are ignored like any unknown property.)
 *
 * @param closID           resctrl group name, {@code /} for the default group, or null
 * @param schemata         lines for the {@code schemata} file
 * @param l3CacheSchema    an {@code L3:} line, or null
 * @param memBwSchema      an {@code MB:} line, or null
 * @param enableMonitoring whether a MON group is created, or null
 */
public record IntelRdt(String closID, List<String> schemata, String l3CacheSchema, String memBwSchema,
        Boolean enableMonitoring) {
    public IntelRdt {
        schemata = Copies.list(schemata);
    }
}
