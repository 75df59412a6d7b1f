package burk.spec;

/**
 * {@code process.ioPriority}.
 *
 * @param priorityClass the JSON property {@code class} (a Java keyword)
 * @param priority      level within the class, 0 (highest) to 7 (lowest)
 */
public record IoPriority(IoPriorityClass priorityClass, int priority) {
}
