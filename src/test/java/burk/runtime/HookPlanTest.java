package burk.runtime;

import burk.runtime.plan.Plan;
import burk.runtime.plan.PlanStep;
import burk.runtime.plan.Step;
import burk.spec.DefaultSpec;
import burk.spec.Hook;
import burk.spec.Hooks;
import burk.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where InitPlanner puts each hook in the init plan, and that a plan without hooks has no hook step. */
class HookPlanTest {
    private static Plan plan(Hooks hooks, boolean noPivot) {
        RuntimeSpec d = DefaultSpec.create();
        RuntimeSpec spec = new RuntimeSpec(d.ociVersion(), d.process(), d.root(), d.hostname(), d.domainname(), d.mounts(),
                hooks, d.annotations(), d.linux());
        return InitPlanner.plan(new InitPlanner.Inputs(spec, Path.of("/b"), Path.of("/b/rootfs"), Path.of("/run/burk/c1"),
                noPivot, List.of(), Path.of("/run/console.sock"), false));
    }

    private static int first(Plan p, Predicate<Step> what) {
        List<PlanStep> steps = p.steps();
        for (int i = 0; i < steps.size(); i++) if (what.test(steps.get(i).step())) return i;
        return -1;
    }

    private static Hook hook(String path, String... args) {
        return new Hook(path, List.of(args), List.of("K=v"), 3);
    }

    @Test
    void eachHookHasItsPlaceInTheInitsSteps() {
        Hooks hooks = new Hooks(List.of(hook("/pre")), List.of(hook("/cr")), List.of(hook("/cc1", "cc"), hook("/cc2")),
                List.of(hook("/sc")), List.of(hook("/ps")), List.of(hook("/stop")));
        for (boolean noPivot : List.of(false, true)) {
            Plan p = plan(hooks, noPivot);
            int sync = first(p, s -> s instanceof Step.Sync);
            int recvCreating = first(p, s -> s instanceof Step.RecvData r && r.buf() == LifecycleHooks.BUF_CREATING);
            int recvCreated = first(p, s -> s instanceof Step.RecvData r && r.buf() == LifecycleHooks.BUF_CREATED);
            int hookSync = first(p, s -> s instanceof Step.HookSync);
            int cc = first(p, s -> s instanceof Step.RunHook h && h.kind().equals("createContainer"));
            int root = first(p, s -> s instanceof Step.PivotRoot || s instanceof Step.Chroot);
            int lastMount = -1;
            for (int i = 0; i < p.steps().size(); i++) if (p.steps().get(i).step() instanceof Step.Mount && i < root) lastMount = i;
            int wait = first(p, s -> s instanceof Step.WaitStart);
            int sc = first(p, s -> s instanceof Step.RunHook h && h.kind().equals("startContainer"));
            int exec = first(p, s -> s instanceof Step.Exec);
            int open = first(p, s -> s instanceof Step.Open o && o.slot() == InitPlanner.SLOT_HOOK_OUT);
            int clone = first(p, s -> s instanceof Step.Clone);
            assertTrue(open >= 0 && open < clone, "the hook output file is opened on the host side");
            assertEquals(sync + 1, recvCreating, "the states come right after the init joined its cgroup");
            assertEquals(sync + 2, recvCreated);
            assertTrue(lastMount < hookSync && hookSync < cc && cc < root, p.explain());
            assertEquals(cc + 1, first(p, s -> s instanceof Step.RunHook h && h.path().equals("/cc2")), "in order");
            assertTrue(wait < sc && sc < exec, p.explain());
            Step.RunHook first = (Step.RunHook) p.steps().get(cc).step();
            assertEquals(List.of("cc"), first.argv());
            assertEquals(List.of("K=v"), first.env());
            assertEquals(3000, first.timeoutMs());
            assertEquals(InitPlanner.SLOT_HOOK_OUT, first.outSlot());
            assertEquals(List.of("/cc2"), ((Step.RunHook) p.steps().get(cc + 1).step()).argv(), "no args: argv is the path");
            assertEquals(-1, first(p, s -> s instanceof Step.RunHook h
                    && List.of("prestart", "createRuntime", "poststart", "poststop").contains(h.kind())),
                    "the runtime's hooks are not the init's");
        }
    }

    @Test
    void withoutHooksThereIsNoHookStep() {
        Plan p = plan(null, false);
        assertEquals(-1, first(p, s -> s instanceof Step.RunHook || s instanceof Step.RecvData || s instanceof Step.HookSync
                || s instanceof Step.Open o && o.slot() == InitPlanner.SLOT_HOOK_OUT));
        Plan onlyPoststop = plan(new Hooks(null, null, null, null, null, List.of(hook("/x"))), false);
        assertEquals(p.steps().size(), onlyPoststop.steps().size(), "poststop is the runtime's business");
    }
}
