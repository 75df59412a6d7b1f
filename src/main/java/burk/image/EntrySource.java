package burk.image;

import java.io.IOException;
import java.io.InputStream;

/** A sequence of tar-like entries: a tar stream, or a layer directory read back as one. */
interface EntrySource {
    /** The next entry, or null at the end. */
    TarEntry next() throws IOException;

    /** The current entry's content (regular files only). */
    InputStream content() throws IOException;

    static EntrySource of(TarReader r) {
        return new EntrySource() {
            @Override
            public TarEntry next() throws IOException {
                return r.next();
            }

            @Override
            public InputStream content() {
                return r.content();
            }
        };
    }
}
