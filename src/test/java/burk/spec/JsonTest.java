package burk.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    // --- reading: values -------------------------------------------------------------------------

    @Test
    void parsesEveryValueKindIntoPlainJdkTypes() {
        Object v = Json.parse("{\"s\":\"x\",\"i\":42,\"d\":1.5,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"2\"],\"o\":{}}");
        Map<?, ?> m = assertInstanceOf(LinkedHashMap.class, v);
        assertEquals("x", m.get("s"));
        assertEquals(42L, m.get("i"));
        assertEquals(1.5, m.get("d"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertEquals(List.of(1L, "2"), m.get("a"));
        assertInstanceOf(ArrayList.class, m.get("a"));
        assertEquals(Map.of(), m.get("o"));
    }

    @Test
    void keepsObjectMembersInDocumentOrder() {
        Map<?, ?> m = (Map<?, ?>) Json.parse("{\"z\":1,\"a\":2,\"m\":3}");
        assertEquals(List.of("z", "a", "m"), new ArrayList<>(m.keySet()));
    }

    @Test
    void duplicateKeyKeepsTheLastValue() {
        Map<?, ?> m = (Map<?, ?>) Json.parse("{\"a\":1,\"b\":2,\"a\":3}");
        assertEquals(3L, m.get("a"));
        assertEquals(2, m.size());
    }

    @Test
    void integersThatFitAreLongsAndLargerOnesBigIntegers() {
        assertEquals(0L, Json.parse("0"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(-17L, Json.parse("-17"));
        assertEquals(999_999_999_999_999_999L, Json.parse("999999999999999999"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(new BigInteger("9223372036854775808"), Json.parse("9223372036854775808"));
        // RLIM_INFINITY as the uint64 Go writes for rlimits.
        assertEquals(new BigInteger("18446744073709551615"), Json.parse("18446744073709551615"));
        assertEquals(new BigInteger("-9223372036854775809"), Json.parse("-9223372036854775809"));
    }

    @Test
    void fractionsAndExponentsAreDoubles() {
        assertEquals(1.5, Json.parse("1.5"));
        assertEquals(-0.25, Json.parse("-0.25"));
        assertEquals(1000.0, Json.parse("1e3"));
        assertEquals(0.012, Json.parse("1.2E-2"));
        assertEquals(1.0, Json.parse("1.0"));
    }

    @Test
    void decodesEveryStringEscape() {
        assertEquals("\" \\ / \b \f \n \r \t", Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""));
        assertEquals("é", Json.parse("\"\\u00e9\""));
        assertEquals("é", Json.parse("\"\\u00E9\""));
        assertEquals("\u2028", Json.parse("\"\\u2028\""));
        assertEquals("\uD83D\uDE00", Json.parse("\"\\ud83d\\ude00\""));
        assertEquals("grüße 😀", Json.parse("\"grüße 😀\""));
        assertEquals("a\u0000b", Json.parse("\"a\\u0000b\""));
    }

    @Test
    void acceptsWhitespaceAroundTokens() {
        assertEquals(List.of(1L, 2L), Json.parse(" \t\r\n[ 1 ,\n\t2 ]\r\n "));
    }

    @Test
    void parsesDeepButBoundedNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Object v = Json.parse(deep);
        for (int i = 1; i < Json.MAX_DEPTH; i++) {
            v = ((List<?>) v).get(0);
        }
        assertEquals(List.of(), v);
    }

    // --- reading: errors -------------------------------------------------------------------------

    private static JsonException parseError(String json) {
        return assertThrows(JsonException.class, () -> Json.parse(json, "config.json"));
    }

    @Test
    void missingCommaNamesLineColumnAndWhatWasExpected() {
        JsonException e = parseError("{\n  \"a\": 1,\n  \"b\": 2\n  \"c\": 3\n}");
        assertEquals("config.json: line 4, column 3: expected ',' or '}', found '\"'", e.getMessage());
        assertEquals(4, e.line());
        assertEquals(3, e.column());
    }

    @Test
    void messageWithoutSourceHasNoPrefix() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[1 2]"));
        assertEquals("line 1, column 4: expected ',' or ']', found '2'", e.getMessage());
    }

    @Test
    void rejectsTrailingGarbage() {
        assertEquals("config.json: line 1, column 4: expected end of input after the JSON value, found 'x'",
                parseError("{} x").getMessage());
        assertEquals("config.json: line 1, column 3: expected end of input after the JSON value, found '{'",
                parseError("{}{}").getMessage());
    }

    @Test
    void rejectsTrailingCommas() {
        assertEquals("config.json: line 1, column 9: expected a string key, found '}'",
                parseError("{\"a\": 1,}").getMessage());
        assertEquals("config.json: line 1, column 4: expected a value, found ']'", parseError("[1,]").getMessage());
    }

    @Test
    void reportsEachKindOfSyntaxError() {
        assertEquals("config.json: line 1, column 1: expected a value, found end of input", parseError("").getMessage());
        assertEquals("config.json: line 1, column 2: expected a string key or '}', found 'a'",
                parseError("{a:1}").getMessage());
        assertEquals("config.json: line 1, column 6: expected ':', found '1'", parseError("{\"a\" 1}").getMessage());
        assertEquals("config.json: line 1, column 6: expected a value, found end of input",
                parseError("{\"a\":").getMessage());
        assertEquals("config.json: line 1, column 3: expected 'true', found 'x'", parseError("trxe").getMessage());
        assertEquals("config.json: line 1, column 1: expected a value, found '''", parseError("'a'").getMessage());
        assertEquals("config.json: line 1, column 1: unterminated string", parseError("\"abc").getMessage());
        assertEquals("config.json: line 1, column 3: invalid escape '\\x' in a string",
                parseError("\"a\\x\"").getMessage());
        assertEquals("config.json: line 1, column 2: \\u must be followed by 4 hex digits",
                parseError("\"\\u12g4\"").getMessage());
        assertEquals("config.json: line 2, column 4: control character U+000A must be escaped in a string",
                parseError("[\n \"a\nb\"]").getMessage());
        assertEquals("config.json: line 1, column 1: leading zeros are not allowed in a number",
                parseError("012").getMessage());
        assertEquals("config.json: line 1, column 2: expected a digit, found 'x'", parseError("-x").getMessage());
        assertEquals("config.json: line 1, column 3: expected a digit, found end of input",
                parseError("1.").getMessage());
        assertEquals("config.json: line 1, column 3: expected a digit, found 'x'", parseError("1ex").getMessage());
        assertEquals("config.json: line 1, column 1: number out of range", parseError("1e999").getMessage());
        assertEquals("config.json: line 1, column 1: expected a value, found U+FEFF", parseError("\uFEFF{}").getMessage());
    }

    @Test
    void columnCountsFromTheLastNewline() {
        JsonException e = parseError("{\r\n\t\"a\": [1,\r\n\t\ttrue,\r\n\t\tnul]\r\n}");
        assertEquals(4, e.line());
        assertEquals(6, e.column());
        assertEquals("config.json: line 4, column 6: expected 'null', found ']'", e.getMessage());
    }

    @Test
    void rejectsNestingDeeperThanTheLimit() {
        String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(tooDeep));
        assertEquals("line 1, column 513: nesting deeper than 512 levels", e.getMessage());
    }

    // --- writing ---------------------------------------------------------------------------------

    @Test
    void writesCompactJsonInMapOrder() {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1L);
        m.put("a", List.of(true, false));
        m.put("n", null);
        m.put("s", "x");
        m.put("e", Map.of());
        m.put("l", List.of());
        assertEquals("{\"z\":1,\"a\":[true,false],\"n\":null,\"s\":\"x\",\"e\":{},\"l\":[]}", Json.write(m));
    }

    @Test
    void escapesQuotesBackslashesControlCharactersAndLineSeparators() {
        assertEquals("\"\\\"\\\\/\\n\\r\\t\\b\\f\\u0000\\u001f\\u2028\\u2029\u007f é 😀\"",
                Json.write("\"\\/\n\r\t\b\f\u0000\u001f\u2028\u2029\u007f é \uD83D\uDE00"));
    }

    @Test
    void escapesLoneSurrogatesSoTheOutputStaysValidUtf8() {
        assertEquals("\"a\\ud800b\\udc00\"", Json.write("a\uD800b\uDC00"));
        assertEquals("a\uD800b\uDC00", Json.parse(Json.write("a\uD800b\uDC00")));
    }

    @Test
    void writesNumbersExactly() {
        assertEquals("[18446744073709551615,-9223372036854775808,7,1.5,-0.25,1.0E21]",
                Json.write(List.of(new BigInteger("18446744073709551615"), Long.MIN_VALUE, 7, 1.5, -0.25, 1e21)));
    }

    @Test
    void prettyPrintsInGoMarshalIndentLayout() {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("a", List.of(1L, Map.of("b", "c")));
        m.put("d", Map.of());
        m.put("e", List.of());
        assertEquals("{\n\t\"a\": [\n\t\t1,\n\t\t{\n\t\t\t\"b\": \"c\"\n\t\t}\n\t],\n\t\"d\": {},\n\t\"e\": []\n}",
                Json.write(m, "\t"));
        assertEquals("{\n  \"x\": [\n    true\n  ]\n}", Json.writePretty(Map.of("x", List.of(true))));
        assertEquals("{\"x\":[true]}", Json.write(Map.of("x", List.of(true)), ""));
    }

    @Test
    void writtenJsonParsesBackToTheSameTree() {
        String text = "{\"ociVersion\":\"1.2.0\",\"a\":[1,-2,3.25,\"\\u2028\\\"q\\\"\",null,true,{\"x\":{}}],"
                + "\"big\":18446744073709551615,\"nested\":{\"k\":[[],[[]]]}}";
        Object tree = Json.parse(text);
        assertEquals(text, Json.write(tree));
        assertEquals(tree, Json.parse(Json.writePretty(tree)));
    }

    @Test
    void refusesValuesWithoutAJsonForm() {
        assertEquals("cannot write NaN as JSON",
                assertThrows(JsonException.class, () -> Json.write(Double.NaN)).getMessage());
        assertEquals("cannot write Infinity as JSON",
                assertThrows(JsonException.class, () -> Json.write(List.of(Double.POSITIVE_INFINITY))).getMessage());
        assertEquals("cannot write a map key of type java.lang.Integer as JSON",
                assertThrows(JsonException.class, () -> Json.write(Map.of(1, "x"))).getMessage());
        assertEquals("cannot write a value of type java.lang.Object as JSON",
                assertThrows(JsonException.class, () -> Json.write(new Object())).getMessage());
        HashMap<String, Object> self = new HashMap<>();
        self.put("self", self);
        assertTrue(assertThrows(JsonException.class, () -> Json.write(self)).getMessage()
                .startsWith("cannot write JSON nested deeper than 512 levels"));
    }
}
