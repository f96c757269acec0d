package org.peerline.gateway.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invitations: one use each, until they expire, only with their secret; the secret itself is never stored. */
class InvitationStoreTest {
    @TempDir
    Path dir;

    @Test
    void anInvitationIsGoodOnceBeforeItExpiresAndOnlyWithItsSecret() throws Exception {
        InvitationStore store = new InvitationStore(dir);
        InvitationStore.Made made = store.create("site-b", "site-b.example", 1_000);
        assertTrue(!Files.readString(dir.resolve("invitations.json")).contains(made.secret()), "only a hash is stored");

        assertTrue(assertThrows(InvitationStore.Refused.class, () -> store.redeem(made.id(), made.secret() + "x", 500))
                .getMessage().contains("secret is wrong"));
        assertTrue(assertThrows(InvitationStore.Refused.class, () -> store.redeem(made.id(), made.secret(), 1_001))
                .getMessage().contains("expired"));
        assertTrue(assertThrows(InvitationStore.Refused.class, () -> store.redeem("nope", made.secret(), 500))
                .getMessage().contains("no such invitation"));

        InvitationStore.Entry used = store.redeem(made.id(), made.secret(), 500);
        assertEquals("site-b", used.site());
        assertEquals("site-b.example", used.domain());
        InvitationStore again = new InvitationStore(dir); // another process (the CLI, the daemon) sees the same file
        assertTrue(assertThrows(InvitationStore.Refused.class, () -> again.redeem(made.id(), made.secret(), 501))
                .getMessage().contains("used already"));
        assertEquals(500, again.list().get(0).usedAt());
    }

    @Test
    void tokensRoundTripAndDamagedOnesAreNamedAsSuch() {
        Invitation inv = new Invitation("https://192.0.2.1:6085/enroll", "ab".repeat(32), "00".repeat(16), "id1",
                "secret", 1_000, "192.0.2.1:6084", "site-b", "site-b.example");
        assertEquals(inv, Invitation.decode(inv.encode()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Invitation.decode("hello")).getMessage()
                .contains("not a Peerline invitation token"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Invitation.decode(inv.encode().substring(0, 40)))
                .getMessage().contains("damaged"));
    }
}
