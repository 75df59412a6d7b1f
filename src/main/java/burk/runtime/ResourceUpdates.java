package burk.runtime;

import burk.cgroups.CgroupResources;
import burk.spec.CpuResources;
import burk.spec.Json;
import burk.spec.JsonException;
import burk.spec.LinuxResources;
import burk.spec.MemoryResources;
import burk.spec.RuntimeSpec;
import burk.spec.SpecCodec;
import burk.spec.SpecException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What {@code update} changes, read as runc's {@code update} reads it: the document is an OCI
 * {@code linux.resources} object (Docker sends it on stdin, Podman in a file), and only the limits
 * runc changes on a live container are applied: memory limit, reservation, swap and
 * checkBeforeUpdate; every cpu field; the blkio weight; the pids limit; unified. A zero (an
 * absent flag, or Docker's zero-valued fields) means "leave as it is", not "limit to 0".
 * Devices are never changed (engines send the whole resources object, devices included), and the
 * remaining fields are ignored, as runc ignores them.
 */
public final class ResourceUpdates {
    private static final String PREFIX = "linux.resources.";

    private ResourceUpdates() {}

    /**
     * Parses a resources document; {@code source} names it in errors (a file name or "stdin").
     *
     * @throws RuntimeError naming the field and the problem, e.g. {@code memory.limit: ...}
     */
    public static LinuxResources parse(String json, String source) throws RuntimeError {
        try {
            Object tree = Json.parse(json, source);
            if (tree == null) return new LinuxResources(null, null, null, null, null, null, null, null, null);
            if (!(tree instanceof Map)) throw new RuntimeError(source + ": the resources must be a JSON object");
            // Read through the config.json codec so every field is typed as in linux.resources.
            Map<String, Object> linux = new LinkedHashMap<>();
            linux.put("resources", tree);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("linux", linux);
            RuntimeSpec spec = SpecCodec.parse(Json.write(doc));
            return spec.linuxOrEmpty().resources();
        } catch (SpecException e) {
            String m = e.getMessage();
            throw new RuntimeError(source + ": " + (m.startsWith(PREFIX) ? m.substring(PREFIX.length()) : m), e);
        } catch (JsonException e) {
            throw new RuntimeError(e.getMessage(), e);
        }
    }

    /** The cgroup changes for {@code r}; fields that {@code update} ignores go to {@code warnings}. */
    static CgroupResources toCgroup(LinuxResources r, Consumer<String> warnings) {
        CgroupResources out = CgroupResources.none();
        if (r == null) return out;
        MemoryResources m = r.memory();
        if (m != null) {
            if (m.kernel() != null && m.kernel() != 0 || m.kernelTCP() != null && m.kernelTCP() != 0) {
                warnings.accept("kernel memory limits are ignored (the kernel no longer supports them)");
            }
            Long limit = nonZero(m.limit()), swap = nonZero(m.swap());
            // cgroup v1 convention runc keeps: lifting the limit without naming swap lifts both.
            if (limit != null && limit == -1 && swap == null) swap = -1L;
            if (limit != null || swap != null || nonZero(m.reservation()) != null || m.checkBeforeUpdate() != null) {
                out = out.withMemory(new CgroupResources.Memory(limit, nonZero(m.reservation()), swap, null, null, null,
                        null, m.checkBeforeUpdate()));
            }
        }
        CpuResources c = r.cpu();
        if (c != null) {
            CgroupResources.Cpu cpu = new CgroupResources.Cpu(nonZero(c.shares()), nonZero(c.quota()), c.burst(),
                    nonZero(c.period()), nonZero(c.realtimeRuntime()), nonZero(c.realtimePeriod()), nonEmpty(c.cpus()),
                    nonEmpty(c.mems()), c.idle());
            if (!cpu.equals(new CgroupResources.Cpu(null, null, null, null, null, null, null, null, null))) {
                out = out.withCpu(cpu);
            }
        }
        if (r.blockIO() != null && r.blockIO().weight() != null && r.blockIO().weight() != 0) {
            out = out.withBlockIo(new CgroupResources.BlockIo(r.blockIO().weight(), null, null, null, null, null, null));
        }
        if (r.pids() != null && r.pids().limit() != null && r.pids().limit() != 0) {
            out = out.withPids(CgroupResources.Pids.of(r.pids().limit()));
        }
        if (!r.unified().isEmpty()) out = out.withUnified(r.unified());
        return out;
    }

    private static Long nonZero(Long v) {
        return v == null || v == 0 ? null : v;
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
