package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ByteAccountTest {

    private static final long NOW = 1_000;
    private static final long LATER = 1_000_000;

    @Test
    void anEntryRemovedWhileTheStartUpScanRunsIsNotCountedFromWhatTheScanRead() {
        ByteAccount account = new ByteAccount(1 << 20);
        account.scanStarting();
        account.add("put-then-removed", 100, NOW, LATER, NOW);
        account.forget("put-then-removed");
        account.forget("only-on-disk-removed");

        account.addFound(List.of(new ByteAccount.Found("put-then-removed", 100, NOW, LATER),
                new ByteAccount.Found("only-on-disk-removed", 100, NOW, LATER),
                new ByteAccount.Found("kept", 100, NOW, LATER)), NOW);

        assertEquals(1, account.entries(NOW), "only what is still there");
        assertEquals(100, account.bytes(NOW));
    }

    @Test
    void anEntryPutWhileTheScanRunsKeepsItsNewerFigures() {
        ByteAccount account = new ByteAccount(1 << 20);
        account.scanStarting();
        account.add("k", 300, NOW + 5, LATER, NOW);

        account.addFound(List.of(new ByteAccount.Found("k", 100, NOW, LATER)), NOW);

        assertEquals(300, account.bytes(NOW));
    }
}
