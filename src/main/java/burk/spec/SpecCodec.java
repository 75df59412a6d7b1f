package burk.spec;

import java.util.Map;

/**
 * Reads and writes runtime-spec documents: {@code config.json}, the process JSON of
 * {@code exec --process}, and the container state JSON.
 *
 * <p>Parsing checks the type of every known property and reports the JSON path of a bad one
 * ({@code process.user.uid: expected a number, got "abc"}); unknown properties are ignored, as the
 * spec requires. It does not apply the spec's semantic rules: run {@link SpecValidator} for those.
 */
public final class SpecCodec {
    /** The indentation {@code runc spec} uses for config.json ({@code json.MarshalIndent(spec, "", "\t")}). */
    public static final String RUNC_INDENT = "\t";

    private SpecCodec() {
    }

    /**
     * Parses a {@code config.json} document.
     *
     * @throws JsonException if the text is not JSON
     * @throws SpecException if a property has the wrong type or an unknown enumeration value
     */
    public static RuntimeSpec parse(String json) {
        return parse(json, null);
    }

    /**
     * Parses a {@code config.json} document; {@code source} (e.g. the file name), if not null,
     * prefixes JSON syntax error messages.
     */
    public static RuntimeSpec parse(String json, String source) {
        return SpecReader.spec(JsonFields.of(Json.parse(json, source), ""));
    }

    /**
     * Parses a process document ({@code exec --process FILE}): one runtime-spec {@code process}
     * object. Error paths are relative to it ({@code user.uid: ...}).
     */
    public static ProcessSpec parseProcess(String json) {
        return SpecReader.process(JsonFields.of(Json.parse(json, null), ""));
    }

    /** Parses an OCI state document (see {@link ContainerState#parse}). */
    public static ContainerState parseState(String json) {
        return SpecReader.state(JsonFields.of(Json.parse(json, null), ""));
    }

    /**
     * Writes {@code spec} as JSON, members in the runtime-spec's order, absent fields omitted.
     * {@code pretty} indents with a tab, as {@code runc spec} does; otherwise compact.
     */
    public static String toJson(RuntimeSpec spec, boolean pretty) {
        return Json.write(SpecWriter.spec(spec), pretty ? RUNC_INDENT : null);
    }

    /** Writes {@code process} as a runtime-spec {@code process} object, compact or tab-indented. */
    public static String toJson(ProcessSpec process, boolean pretty) {
        return Json.write(SpecWriter.process(process), pretty ? RUNC_INDENT : null);
    }

    /**
     * The JSON tree of {@code spec} ({@code LinkedHashMap}s, lists, strings, numbers), e.g. to
     * write it with another indentation through {@link Json#write(Object, String)}.
     */
    public static Map<String, Object> toTree(RuntimeSpec spec) {
        return SpecWriter.spec(spec);
    }
}
