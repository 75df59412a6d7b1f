package burk.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageReferenceTest {
    @Test
    void normalizesAsDockerDoes() {
        assertEquals("docker.io/library/busybox:latest", ImageReference.parse("busybox").toString());
        assertEquals("docker.io/library/busybox:1.36", ImageReference.parse("busybox:1.36").toString());
        assertEquals("docker.io/user/app:latest", ImageReference.parse("user/app").toString());
        assertEquals("docker.io/library/ubuntu:latest", ImageReference.parse("index.docker.io/ubuntu").toString());
        ImageReference r = ImageReference.parse("localhost:5000/team/app:v1");
        assertEquals("localhost:5000", r.registry());
        assertEquals("team/app", r.repository());
        assertEquals("v1", r.tag());
        assertEquals("http", new RegistryClient(null, java.util.Set.of()).scheme(r.registry()));
        assertEquals("https", new RegistryClient(null, java.util.Set.of()).scheme("quay.io"));
        assertEquals("localhost", ImageReference.parse("localhost/busybox").registry());
        assertEquals("registry-1.docker.io", ImageReference.parse("busybox").apiHost());
    }

    @Test
    void digests() {
        String d = "sha256:" + "a".repeat(64);
        ImageReference r = ImageReference.parse("quay.io/x/y@" + d);
        assertNull(r.tag());
        assertEquals(d, r.manifestReference());
        ImageReference both = ImageReference.parse("x:1@" + d);
        assertEquals("1", both.tag());
        assertEquals(d, both.manifestReference());
    }

    @Test
    void rejectsMalformed() {
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("Busybox"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("a@sha256:123"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("a:b:c"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(""));
        assertTrue(ImageReference.isShortName("busybox"));
        assertTrue(!ImageReference.isShortName("localhost/busybox"));
    }

    @Test
    void platforms() {
        assertEquals("linux/arm64", Platform.parse("linux/arm64/v8").toString());
        assertTrue(Platform.parse("linux/arm/v7").matches(new Platform("linux", "arm", "v7")));
        assertTrue(!Platform.parse("linux/arm/v7").matches(new Platform("linux", "arm", "v6")));
        assertTrue(Platform.parse("linux/amd64").matches(new Platform("linux", "amd64", null)));
    }
}
