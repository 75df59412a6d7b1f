package burk.front;

import burk.image.ImageConfig;
import burk.linux.Tty;
import burk.spec.DefaultSpec;
import burk.spec.SpecCodec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a container's config.json from the image's config and {@code burk run}'s flags, with
 * Docker's rules: --entrypoint replaces the image's Entrypoint and drops its Cmd; a CMD on the
 * command line replaces the image's Cmd; -e overrides the image's Env; -w and -u override
 * WorkingDir and User. It starts from burk's default spec (runc's) and gives the process Docker's
 * default capabilities, because images are written for those.
 */
final class SpecBuilder {
    private SpecBuilder() {}

    static final List<String> DOCKER_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** The process's argv by Docker's rules; a FrontException when there is none. */
    static List<String> args(ImageConfig img, RunOptions o) throws FrontException {
        List<String> ep;
        List<String> cmd;
        if (o.entrypoint() != null) {
            ep = o.entrypoint().isEmpty() ? List.of() : List.of(o.entrypoint());
            cmd = o.command();
        } else {
            ep = img.entrypoint() == null ? List.of() : img.entrypoint();
            cmd = o.command().isEmpty() ? (img.cmd() == null ? List.of() : img.cmd()) : o.command();
        }
        List<String> args = new ArrayList<>(ep);
        args.addAll(cmd);
        if (args.isEmpty()) throw new FrontException("no command specified: the image has no Entrypoint or Cmd; give one after the image");
        return args;
    }

    /** Image Env, then the flags' K=V (a bare K takes this process's value, as Docker does). */
    static List<String> env(ImageConfig img, RunOptions o, String hostname) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : img.env()) put(env, kv);
        if (!env.containsKey("PATH")) put(env, DEFAULT_PATH);
        env.put("HOSTNAME", hostname);
        overlay(env, o.env());
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** -e's K=V over {@code env}; a bare K takes this process's value, as Docker does. */
    static void overlay(Map<String, String> env, List<String> flags) {
        for (String kv : flags) {
            if (kv.contains("=")) {
                put(env, kv);
            } else {
                String v = System.getenv(kv);
                if (v != null) env.put(kv, v);
            }
        }
    }

    static void put(Map<String, String> env, String kv) {
        int eq = kv.indexOf('=');
        if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
    }

    @SuppressWarnings("unchecked")
    /**
     * @param consoleSize the size of the terminal burk runs in, for {@code -t}; null when none
     * @param volumes     the image's volumes, made for this container
     * @param init        burk-init on the host, to run the command under (--init), or null
     */
    static Map<String, Object> build(ImageConfig img, RunOptions o, Path rootfs, Path dir, String hostname,
                                     UserLookup.Resolved user, Tty.Size consoleSize, List<AnonymousVolumes.Volume> volumes,
                                     Path init) throws FrontException {
        Map<String, Object> tree = SpecCodec.toTree(DefaultSpec.create());
        tree.put("root", new LinkedHashMap<>(Map.of("path", rootfs.toString(), "readonly", o.readOnly())));
        tree.put("hostname", hostname);
        Map<String, Object> p = (Map<String, Object>) tree.get("process");
        p.put("terminal", o.tty());
        if (o.tty() && consoleSize != null) {
            p.put("consoleSize", new LinkedHashMap<>(Map.of("height", (long) consoleSize.rows(), "width", (long) consoleSize.cols())));
        }
        List<Object> argv = new ArrayList<>();
        if (init != null) argv.addAll(List.of(InitBinary.CONTAINER_PATH, "--"));
        argv.addAll(args(img, o));
        p.put("args", argv);
        p.put("env", new ArrayList<Object>(env(img, o, hostname)));
        String cwd = o.workdir() != null ? o.workdir() : img.workingDir();
        if (cwd == null || cwd.isEmpty()) cwd = "/";
        if (!cwd.startsWith("/")) throw new FrontException("the working directory '" + cwd + "' is invalid, it needs to be an absolute path");
        p.put("cwd", cwd);
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("uid", (long) user.uid());
        u.put("gid", (long) user.gid());
        if (!user.additionalGids().isEmpty()) {
            List<Object> g = new ArrayList<>();
            for (int x : user.additionalGids()) g.add((long) x);
            u.put("additionalGids", g);
        }
        p.put("user", u);

        List<Object> mounts = new ArrayList<>((List<Object>) tree.get("mounts"));
        mounts.add(bind(dir.resolve("hostname").toString(), "/etc/hostname", false));
        mounts.add(bind(dir.resolve("hosts").toString(), "/etc/hosts", false));
        mounts.add(bind(dir.resolve("resolv.conf").toString(), "/etc/resolv.conf", false));
        for (AnonymousVolumes.Volume v : volumes) mounts.add(bind(v.source().toString(), v.destination(), false));
        for (String v : o.volumes()) mounts.add(volume(v));
        if (init != null) mounts.add(bind(init.toString(), InitBinary.CONTAINER_PATH, true));
        tree.put("mounts", mounts);

        Map<String, Object> linux = (Map<String, Object>) tree.get("linux");
        if (o.network().equals("host")) {
            List<Object> ns = new ArrayList<>();
            for (Object n : (List<Object>) linux.get("namespaces")) {
                if (!"network".equals(((Map<String, Object>) n).get("type"))) ns.add(n);
            }
            linux.put("namespaces", ns);
        } else if (!o.network().equals("none")) {
            throw new FrontException("--network " + o.network() + ": only 'none' and 'host' are supported");
        }
        Map<String, Object> res = new LinkedHashMap<>((Map<String, Object>) linux.getOrDefault("resources", Map.of()));
        if (o.memory() > 0) res.put("memory", new LinkedHashMap<>(Map.of("limit", o.memory(), "swap", o.memory())));
        if (o.cpus() > 0) {
            long period = 100_000;
            res.put("cpu", new LinkedHashMap<>(Map.of("quota", Math.max(1000L, Math.round(o.cpus() * period)), "period", period)));
        }
        if (o.pidsLimit() > 0) res.put("pids", new LinkedHashMap<>(Map.of("limit", o.pidsLimit())));
        linux.put("resources", res);
        Security.apply(tree, o);
        return tree;
    }

    private static Map<String, Object> bind(String src, String dst, boolean ro) {
        List<Object> opts = new ArrayList<>(List.of("rbind", "rprivate"));
        if (ro) opts.add("ro");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", dst);
        m.put("type", "bind");
        m.put("source", src);
        m.put("options", opts);
        return m;
    }

    /** -v host:container[:ro|rw]; the host path must be absolute, as Docker's bind mounts. */
    static Map<String, Object> volume(String spec) throws FrontException {
        String[] f = spec.split(":");
        if (f.length < 2 || f.length > 3) throw new FrontException("invalid volume specification: '" + spec + "' (expected host:container[:ro])");
        boolean ro = false;
        if (f.length == 3) {
            for (String opt : f[2].split(",")) {
                if (opt.equals("ro")) ro = true;
                else if (!opt.equals("rw") && !opt.equals("z") && !opt.equals("Z")) throw new FrontException("invalid volume option: " + opt);
            }
        }
        Path host = Path.of(f[0]);
        if (!host.isAbsolute()) {
            throw new FrontException("invalid volume specification: '" + spec + "': named volumes are not supported, the host path must be absolute");
        }
        if (!f[1].startsWith("/")) throw new FrontException("invalid volume specification: '" + spec + "': the container path must be absolute");
        if (!java.nio.file.Files.exists(host)) throw new FrontException("the host path " + host + " of -v " + spec + " does not exist");
        return bind(host.toString(), f[1], ro);
    }
}
