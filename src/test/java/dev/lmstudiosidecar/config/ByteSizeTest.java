package dev.lmstudiosidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void readsDecimalAndBinaryUnitsAsPowersOf1024() {
        assertEquals(1L << 30, ByteSize.parse("1GB").bytes());
        assertEquals(1L << 30, ByteSize.parse("1GiB").bytes());
        assertEquals(8L << 20, ByteSize.parse("8MiB").bytes());
        assertEquals(8L << 20, ByteSize.parse("8m").bytes());
        assertEquals(512L << 10, ByteSize.parse("512 KB").bytes());
        assertEquals(1024, ByteSize.parse("1024").bytes());
        assertEquals(1024, ByteSize.parse("1024B").bytes());
    }

    @Test
    void refusesWhatIsNotASizeWithAnExample() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("lots"));
        assertEquals("'lots' is not a size; write it like 1GB, 512MiB, 8M or 1024", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-1GB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("99999999999T"));
    }
}
