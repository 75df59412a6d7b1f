package burk.runtime;

import burk.runtime.plan.MountFlags;

import java.util.List;

/**
 * The mount options of config.json's mounts[].options, split into mount(2) flags, propagation
 * flags and the filesystem-specific data string, as the runtime-spec's option table says.
 * Options the table does not name are passed to the filesystem as data ({@code mode=755},
 * {@code size=65536k}, {@code newinstance}), which is what runc does too.
 */
record MountOptions(long flags, long propagation, String data, boolean bind, boolean recursiveBind) {

    static MountOptions parse(List<String> options, String field) {
        long flags = 0, prop = 0;
        boolean bind = false, rec = false;
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < options.size(); i++) {
            String o = options.get(i);
            switch (o) {
                case "defaults" -> { }
                case "ro" -> flags |= MountFlags.MS_RDONLY;
                case "rw" -> flags &= ~MountFlags.MS_RDONLY;
                case "nosuid" -> flags |= MountFlags.MS_NOSUID;
                case "suid" -> flags &= ~MountFlags.MS_NOSUID;
                case "nodev" -> flags |= MountFlags.MS_NODEV;
                case "dev" -> flags &= ~MountFlags.MS_NODEV;
                case "noexec" -> flags |= MountFlags.MS_NOEXEC;
                case "exec" -> flags &= ~MountFlags.MS_NOEXEC;
                case "sync" -> flags |= MountFlags.MS_SYNCHRONOUS;
                case "async" -> flags &= ~MountFlags.MS_SYNCHRONOUS;
                case "dirsync" -> flags |= MountFlags.MS_DIRSYNC;
                case "mand" -> flags |= MountFlags.MS_MANDLOCK;
                case "nomand" -> flags &= ~MountFlags.MS_MANDLOCK;
                case "noatime" -> flags |= MountFlags.MS_NOATIME;
                case "atime" -> flags &= ~MountFlags.MS_NOATIME;
                case "nodiratime" -> flags |= MountFlags.MS_NODIRATIME;
                case "diratime" -> flags &= ~MountFlags.MS_NODIRATIME;
                case "relatime" -> flags |= MountFlags.MS_RELATIME;
                case "norelatime" -> flags &= ~MountFlags.MS_RELATIME;
                case "strictatime" -> flags |= MountFlags.MS_STRICTATIME;
                case "nostrictatime" -> flags &= ~MountFlags.MS_STRICTATIME;
                case "lazytime" -> flags |= MountFlags.MS_LAZYTIME;
                case "nolazytime" -> flags &= ~MountFlags.MS_LAZYTIME;
                case "nosymfollow" -> flags |= MountFlags.MS_NOSYMFOLLOW;
                case "symfollow" -> flags &= ~MountFlags.MS_NOSYMFOLLOW;
                case "silent" -> flags |= MountFlags.MS_SILENT;
                case "loud" -> flags &= ~MountFlags.MS_SILENT;
                case "iversion" -> flags |= 1L << 23;
                case "noiversion" -> flags &= ~(1L << 23);
                case "remount" -> flags |= MountFlags.MS_REMOUNT;
                case "bind" -> bind = true;
                case "rbind" -> { bind = true; rec = true; }
                case "private" -> prop = MountFlags.MS_PRIVATE;
                case "rprivate" -> prop = MountFlags.MS_PRIVATE | MountFlags.MS_REC;
                case "shared" -> prop = MountFlags.MS_SHARED;
                case "rshared" -> prop = MountFlags.MS_SHARED | MountFlags.MS_REC;
                case "slave" -> prop = MountFlags.MS_SLAVE;
                case "rslave" -> prop = MountFlags.MS_SLAVE | MountFlags.MS_REC;
                case "unbindable" -> prop = MountFlags.MS_UNBINDABLE;
                case "runbindable" -> prop = MountFlags.MS_UNBINDABLE | MountFlags.MS_REC;
                case "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime",
                        "rdiratime", "rrelatime", "rnorelatime", "ratime", "rnoatime", "rstrictatime",
                        "rnostrictatime", "rnosymfollow", "rsymfollow", "idmap", "ridmap" ->
                        throw new IllegalArgumentException(field + "[" + i + "]: the option \"" + o
                                + "\" (mount_setattr) is not supported by this burk version");
                case "tmpcopyup" -> { }
                default -> {
                    if (!data.isEmpty()) data.append(',');
                    data.append(o);
                }
            }
        }
        return new MountOptions(flags, prop, data.toString(), bind, rec);
    }
}
