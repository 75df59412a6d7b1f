package burk.spec;

/** {@code process.consoleSize}: terminal size in characters (both uint). */
public record ConsoleSize(long height, long width) {
}
