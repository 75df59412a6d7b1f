package burk.runtime;

import burk.runtime.plan.MountFlags;

import java.util.List;

/**
 * The mount options of config.json's mounts[].options, split into mount(2) flags, propagation
 * flags and the filesystem-specific data string, as the runtime-spec's option table says.
 * Options the table does not name are passed to the filesystem as data ({@code mode=755},
 * {@code size=65536k}, {@code newinstance}), which is what runc does too.
 *
 * @param idmap whether the options ask for an id-mapped mount ({@code idmap}, {@code ridmap}); the
 *              last of the two wins, as with runc
 */
record MountOptions(long flags, long propagation, String data, boolean bind, boolean recursiveBind,
                    long attrSet, long attrClr, String recursiveNames, Idmap idmap) {
    /** The id-mapping options, which are never passed to mount(2) (config.md). */
    enum Idmap {
        /** Neither option. */
        NONE,
        /** {@code idmap}: the mapping applies to the mount itself, not to mounts under it. */
        IDMAP,
        /** {@code ridmap}: the mapping applies to every mount of the tree (AT_RECURSIVE). */
        RIDMAP
    }

    // mount_setattr(2) attributes (linux/mount.h)
    static final long ATTR_RDONLY = 0x1, ATTR_NOSUID = 0x2, ATTR_NODEV = 0x4, ATTR_NOEXEC = 0x8,
            ATTR_ATIME_MASK = 0x70, ATTR_RELATIME = 0, ATTR_NOATIME = 0x10, ATTR_STRICTATIME = 0x20,
            ATTR_NODIRATIME = 0x80, ATTR_NOSYMFOLLOW = 0x200000;

    private static final java.util.Set<String> RECURSIVE = java.util.Set.of("rro", "rrw", "rnosuid", "rsuid",
            "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime", "rdiratime", "rnosymfollow", "rsymfollow",
            "rrelatime", "ratime", "rnostrictatime", "rnoatime", "rstrictatime", "rnorelatime");

    /** True when recursive options (rro, rnosuid, ...) must be applied with mount_setattr. */
    boolean hasRecursiveAttrs() { return attrSet != 0 || attrClr != 0; }


    /** Splits {@code options} as the spec's table says. */
    static MountOptions parse(List<String> options) {
        long flags = 0, prop = 0, aset = 0, aclr = 0;
        boolean bind = false, rec = false;
        Idmap idmap = Idmap.NONE;
        StringBuilder rnames = new StringBuilder();
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
                case "rro" -> { aset |= ATTR_RDONLY; aclr &= ~ATTR_RDONLY; }
                case "rrw" -> { aclr |= ATTR_RDONLY; aset &= ~ATTR_RDONLY; }
                case "rnosuid" -> { aset |= ATTR_NOSUID; aclr &= ~ATTR_NOSUID; }
                case "rsuid" -> { aclr |= ATTR_NOSUID; aset &= ~ATTR_NOSUID; }
                case "rnodev" -> { aset |= ATTR_NODEV; aclr &= ~ATTR_NODEV; }
                case "rdev" -> { aclr |= ATTR_NODEV; aset &= ~ATTR_NODEV; }
                case "rnoexec" -> { aset |= ATTR_NOEXEC; aclr &= ~ATTR_NOEXEC; }
                case "rexec" -> { aclr |= ATTR_NOEXEC; aset &= ~ATTR_NOEXEC; }
                case "rnodiratime" -> { aset |= ATTR_NODIRATIME; aclr &= ~ATTR_NODIRATIME; }
                case "rdiratime" -> { aclr |= ATTR_NODIRATIME; aset &= ~ATTR_NODIRATIME; }
                case "rnosymfollow" -> { aset |= ATTR_NOSYMFOLLOW; aclr &= ~ATTR_NOSYMFOLLOW; }
                case "rsymfollow" -> { aclr |= ATTR_NOSYMFOLLOW; aset &= ~ATTR_NOSYMFOLLOW; }
                // The access-time modes are one field: setting one clears the whole field first.
                case "rrelatime", "ratime", "rnostrictatime" -> { aclr |= ATTR_ATIME_MASK; aset = (aset & ~ATTR_ATIME_MASK) | ATTR_RELATIME; }
                case "rnoatime" -> { aclr |= ATTR_ATIME_MASK; aset = (aset & ~ATTR_ATIME_MASK) | ATTR_NOATIME; }
                case "rstrictatime", "rnorelatime" -> { aclr |= ATTR_ATIME_MASK; aset = (aset & ~ATTR_ATIME_MASK) | ATTR_STRICTATIME; }
                case "idmap" -> idmap = Idmap.IDMAP;
                case "ridmap" -> idmap = Idmap.RIDMAP;
                case "tmpcopyup" -> { }
                default -> {
                    if (!data.isEmpty()) data.append(',');
                    data.append(o);
                }
            }
        }
        for (String o : options) {
            if (RECURSIVE.contains(o)) {
                if (!rnames.isEmpty()) rnames.append(',');
                rnames.append(o);
            }
        }
        return new MountOptions(flags, prop, data.toString(), bind, rec, aset, aclr, rnames.toString(), idmap);
    }
}
