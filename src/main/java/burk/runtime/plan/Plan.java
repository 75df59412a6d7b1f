package burk.runtime.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An init plan: every step the native helper takes to turn itself into a container process,
 * in order. Built by Java, encoded as docs/plan-format.md says, executed by native/burk-helper.
 */
public final class Plan {
    /** The plan format version; the helper refuses any other. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'B', 'K', 'P', 'L'};

    private final List<PlanStep> steps;

    private Plan(List<PlanStep> steps) {
        this.steps = Collections.unmodifiableList(steps);
    }

    public List<PlanStep> steps() { return steps; }

    /** The step at {@code index}, or null if the helper named a step that is not in the plan. */
    public PlanStep step(int index) {
        return index >= 0 && index < steps.size() ? steps.get(index) : null;
    }

    /** The wire form the helper reads. */
    public byte[] encode() {
        PlanWriter out = new PlanWriter();
        out.u32(le32(MAGIC)).u32(VERSION).u32(steps.size()).u32(0);
        byte[] head = out.toByteArray();
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(256 + steps.size() * 48);
        all.writeBytes(head);
        for (PlanStep ps : steps) {
            PlanWriter payload = new PlanWriter();
            ps.step().encode(payload);
            byte[] p = payload.toByteArray();
            PlanWriter hdr = new PlanWriter().u16(ps.step().op()).u16(ps.flags()).u32(p.length);
            all.writeBytes(hdr.toByteArray());
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    private static long le32(byte[] b) {
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (long) (b[3] & 0xff) << 24;
    }

    /** A readable rendering: one numbered line per step with its reason. */
    public String explain() {
        StringBuilder sb = new StringBuilder();
        int width = Integer.toString(steps.size()).length();
        for (int i = 0; i < steps.size(); i++) {
            PlanStep ps = steps.get(i);
            String n = Integer.toString(i);
            sb.append(" ".repeat(width - n.length())).append(n).append("  ").append(ps.step().action());
            if (ps.why() != null && !ps.why().isEmpty()) sb.append("\n").append(" ".repeat(width + 2)).append("  ↳ ").append(ps.why());
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Builds a plan step by step. */
    public static final class Builder {
        private final List<PlanStep> steps = new ArrayList<>();

        public Builder add(Step step, String why) {
            steps.add(new PlanStep(step, 0, why));
            return this;
        }

        public Builder addIgnoringMissing(Step step, String why) {
            steps.add(new PlanStep(step, PlanStep.IGNORE_ENOENT, why));
            return this;
        }

        /** A step with the helper's per-step flags ({@link PlanStep#NOFOLLOW}, ...). */
        public Builder add(Step step, int flags, String why) {
            steps.add(new PlanStep(step, flags, why));
            return this;
        }

        public int size() { return steps.size(); }

        public Plan build() { return new Plan(new ArrayList<>(steps)); }
    }
}
