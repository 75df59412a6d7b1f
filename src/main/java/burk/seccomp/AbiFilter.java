package burk.seccomp;

import burk.seccomp.ReverseAssembler.Return;
import burk.seccomp.ReverseAssembler.Target;
import burk.seccomp.SeccompProfile.ArgCondition;
import burk.seccomp.SeccompProfile.SyscallRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * The part of a filter that judges the calls of one ABI once {@code A} holds the syscall number:
 * the ENOSYS guard for numbers newer than the profile, a binary search over number ranges, and
 * per-syscall blocks testing arguments rule by rule.
 */
final class AbiFilter {

    /** A rule as compiled: its action word and its conditions (all must hold). */
    record CompiledRule(int action, List<ArgCondition> conditions) {}

    private final Arch abi;
    /** Rules per syscall number, each list in profile order (the first matching rule wins). */
    private final Map<Long, List<CompiledRule>> rulesByNumber;
    /** The highest syscall number the profile names for this ABI (ARM private calls aside). */
    private final OptionalLong highestKnown;

    private AbiFilter(Arch abi, Map<Long, List<CompiledRule>> rulesByNumber, OptionalLong highestKnown) {
        this.abi = abi;
        this.rulesByNumber = rulesByNumber;
        this.highestKnown = highestKnown;
    }

    /**
     * Resolves the profile's rules for {@code abi}. A name the ABI does not have is skipped, as
     * runc and crun do (libseccomp cannot resolve it either). {@code actionWord} turns a rule
     * into its {@code SECCOMP_RET_*} value.
     */
    static AbiFilter resolve(Arch abi, List<SyscallRule> rules, ToIntFunction<SyscallRule> actionWord) {
        Map<Long, List<CompiledRule>> byNumber = new LinkedHashMap<>();
        long highest = -1;
        for (SyscallRule rule : rules) {
            CompiledRule compiled = new CompiledRule(actionWord.applyAsInt(rule), rule.args());
            for (String name : rule.names()) {
                var nr = abi.syscallNumber(name);
                if (nr.isEmpty()) {
                    continue;
                }
                long number = Integer.toUnsignedLong(nr.getAsInt());
                List<CompiledRule> list = byNumber.computeIfAbsent(number, n -> new ArrayList<>());
                if (!list.contains(compiled)) {
                    list.add(compiled);
                }
                if (!isArmPrivate(abi, number)) {
                    highest = Math.max(highest, number);
                }
            }
        }
        return new AbiFilter(abi, byNumber, highest < 0 ? OptionalLong.empty() : OptionalLong.of(highest));
    }

    /**
     * Emits this ABI's judgement, entered with the syscall number in {@code A}.
     *
     * @param defaultAction the action word when no rule matches
     * @param enosysAction  the action for numbers above the profile's highest, or null for none
     */
    Target emit(ReverseAssembler asm, ArgComparison args, int defaultAction, Integer enosysAction) {
        Return otherwise = new Return(defaultAction);
        TreeMap<Long, Target> blocks = new TreeMap<>();
        for (var e : rulesByNumber.entrySet()) {
            blocks.put(e.getKey(), ruleBlock(asm, args, e.getValue(), otherwise));
        }
        Target dispatch = searchTree(asm, ranges(blocks, otherwise));
        return enosysAction == null ? dispatch : enosysGuard(asm, dispatch, new Return(enosysAction));
    }

    /**
     * runc's -ENOSYS rule: a syscall number above every number the profile names is most likely
     * a syscall newer than the profile; answering ENOSYS (rather than EPERM or a kill) lets libcs
     * fall back to the older call they already support.
     */
    private Target enosysGuard(ReverseAssembler asm, Target dispatch, Return enosys) {
        if (highestKnown.isEmpty()) {
            return dispatch;
        }
        int highest = (int) highestKnown.getAsLong();
        Target guard;
        if (abi == Arch.ARM) {
            // ARM's private calls sit far above the table; they are judged by the rules alone.
            Target aboveHighest = asm.jump(ReverseAssembler.JGE_K, (int) Arch.ARM_PRIVATE_BASE, dispatch, enosys);
            guard = asm.jump(ReverseAssembler.JGT_K, highest, aboveHighest, dispatch);
        } else {
            guard = asm.jump(ReverseAssembler.JGT_K, highest, enosys, dispatch);
        }
        if (abi == Arch.S390 || abi == Arch.S390X) {
            // s390 multiplexes large syscall numbers through number 0 (setup), which the kernel
            // leaves at 0 when it does not know the real number: such a call is unknown, not denied.
            guard = asm.jump(ReverseAssembler.JEQ_K, 0, enosys, guard);
        }
        return guard;
    }

    /** The rules of one syscall, in order; the first whose conditions all hold decides. */
    private static Target ruleBlock(ReverseAssembler asm, ArgComparison args, List<CompiledRule> rules,
                                    Target otherwise) {
        int end = rules.size();
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).conditions().isEmpty()) {
                end = i + 1; // later rules can never be reached
                break;
            }
        }
        Target next = otherwise;
        for (int i = end - 1; i >= 0; i--) {
            CompiledRule rule = rules.get(i);
            Target matched = new Return(rule.action());
            List<ArgCondition> conditions = rule.conditions();
            for (int c = conditions.size() - 1; c >= 0; c--) {
                matched = args.emit(conditions.get(c), matched, next);
            }
            next = matched;
        }
        return next;
    }

    /** A run of syscall numbers, from {@code start} up to the next range's start, going to one target. */
    private record Range(long start, Target target) {}

    /** Covers all 2^32 numbers with ranges, merging neighbours that go to the same place. */
    private static List<Range> ranges(TreeMap<Long, Target> blocks, Target otherwise) {
        List<Range> ranges = new ArrayList<>();
        long cursor = 0;
        for (var e : blocks.entrySet()) {
            if (e.getKey() > cursor) {
                add(ranges, new Range(cursor, otherwise));
            }
            add(ranges, new Range(e.getKey(), e.getValue()));
            cursor = e.getKey() + 1;
        }
        if (cursor <= 0xFFFF_FFFFL) {
            add(ranges, new Range(cursor, otherwise));
        }
        return ranges;
    }

    private static void add(List<Range> ranges, Range range) {
        if (!ranges.isEmpty() && ranges.getLast().target().equals(range.target())) {
            return;
        }
        ranges.add(range);
    }

    /** A balanced tree of {@code jge} tests over the range starts; the leaves are the targets. */
    private static Target searchTree(ReverseAssembler asm, List<Range> ranges) {
        return subtree(asm, ranges, 0, ranges.size());
    }

    private static Target subtree(ReverseAssembler asm, List<Range> ranges, int from, int to) {
        if (to - from == 1) {
            return ranges.get(from).target();
        }
        int mid = (from + to) >>> 1;
        Target upper = subtree(asm, ranges, mid, to);
        Target lower = subtree(asm, ranges, from, mid);
        return asm.jump(ReverseAssembler.JGE_K, (int) ranges.get(mid).start(), upper, lower);
    }

    private static boolean isArmPrivate(Arch abi, long number) {
        return abi == Arch.ARM && number >= Arch.ARM_PRIVATE_BASE;
    }
}
