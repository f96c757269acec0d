package org.peerline.provisioning.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Single-process behaviour of {@link Users} on a real SQLite file. */
class UsersTest {
    private static final String REALM = "site.example.org";

    @TempDir
    Path dir;

    private Provisioning provisioning;
    private Users users;

    @BeforeEach
    void open() throws ProvisioningException {
        provisioning = Provisioning.open(dir.resolve("data"), REALM);
        users = provisioning.users();
    }

    @AfterEach
    void close() {
        provisioning.close();
    }

    @Test
    void shouldAddAndFindByNameAndExtension() throws ProvisioningException {
        User added = users.add(new NewUser("alice", "secret", "1001", "Alice Liddell"));

        assertEquals("alice", added.name());
        assertEquals("1001", added.extension());
        assertEquals("Alice Liddell", added.displayName());
        assertEquals(REALM, added.realm());
        assertEquals(DigestHa1.of("alice", REALM, "secret"), added.ha1());
        assertNotNull(added.created());
        assertEquals(Optional.of(added), users.find("alice"));
        assertEquals(Optional.of(added), users.findByExtension("1001"));
        assertEquals(Optional.empty(), users.find("Alice"), "names are case-sensitive");
        assertEquals(Optional.empty(), users.find("bob"));
        assertEquals(Optional.empty(), users.findByExtension("1002"));
    }

    @Test
    void shouldTreatEmptyExtensionAndDisplayAsNone() throws ProvisioningException {
        User added = users.add(new NewUser("bob", "pw", "", ""));

        assertNull(added.extension());
        assertNull(added.displayName());
    }

    @Test
    void shouldListSortedByName() throws ProvisioningException {
        users.add(new NewUser("carol", "pw", null, null));
        users.add(new NewUser("alice", "pw", "1001", null));
        users.add(new NewUser("bob", "pw", null, "Bob"));

        assertEquals(List.of("alice", "bob", "carol"), users.list().stream().map(User::name).toList());
    }

    @Test
    void shouldRemoveAndFreeTheExtension() throws ProvisioningException {
        users.add(new NewUser("alice", "pw", "1001", null));

        assertTrue(users.remove("alice"));
        assertFalse(users.remove("alice"));
        assertEquals(Optional.empty(), users.find("alice"));
        assertEquals(Optional.empty(), users.findByExtension("1001"));
        assertEquals("bob", users.add(new NewUser("bob", "pw", "1001", null)).name());
    }

    @Test
    void shouldUpdatePasswordExtensionAndDisplay() throws ProvisioningException {
        User before = users.add(new NewUser("alice", "old", "1001", "Alice"));

        User after = users.update("alice", new UserUpdate("new", "2002", "Alice L."));

        assertEquals(DigestHa1.of("alice", REALM, "new"), after.ha1());
        assertEquals("2002", after.extension());
        assertEquals("Alice L.", after.displayName());
        assertEquals(before.created(), after.created());
        assertEquals(Optional.of(after), users.find("alice"));
        assertEquals(Optional.of(after), users.findByExtension("2002"));
        assertEquals(Optional.empty(), users.findByExtension("1001"));
    }

    @Test
    void shouldKeepNullFieldsAndClearEmptyOnes() throws ProvisioningException {
        User before = users.add(new NewUser("alice", "pw", "1001", "Alice"));

        User unchanged = users.update("alice", new UserUpdate(null, null, null));
        User cleared = users.update("alice", new UserUpdate(null, "", ""));

        assertEquals(before, unchanged);
        assertEquals(before.ha1(), cleared.ha1());
        assertNull(cleared.extension());
        assertNull(cleared.displayName());
        assertEquals(Optional.empty(), users.findByExtension("1001"));
    }

    @Test
    void shouldRejectUpdateOfUnknownUser() {
        UnknownUserException e = assertThrows(UnknownUserException.class,
                () -> users.update("ghost", new UserUpdate("pw", null, null)));
        assertEquals("ghost", e.name());
    }

    @Test
    void shouldRejectDuplicateName() throws ProvisioningException {
        users.add(new NewUser("alice", "pw", "1001", null));

        UserExistsException e = assertThrows(UserExistsException.class,
                () -> users.add(new NewUser("alice", "other", "1002", null)));
        assertEquals("alice", e.name());
        assertTrue(e.getMessage().contains("alice"), e.getMessage());
        assertEquals(Optional.empty(), users.findByExtension("1002"));
    }

    @Test
    void shouldRejectTakenExtension() throws ProvisioningException {
        users.add(new NewUser("alice", "pw", "1001", null));
        users.add(new NewUser("bob", "pw", "1002", null));

        ExtensionTakenException onAdd = assertThrows(ExtensionTakenException.class,
                () -> users.add(new NewUser("carol", "pw", "1001", null)));
        ExtensionTakenException onUpdate = assertThrows(ExtensionTakenException.class,
                () -> users.update("bob", new UserUpdate(null, "1001", null)));

        assertEquals("alice", onAdd.owner());
        assertEquals("1001", onUpdate.extension());
        assertTrue(onAdd.getMessage().contains("1001") && onAdd.getMessage().contains("alice"), onAdd.getMessage());
        assertEquals("1002", users.find("bob").orElseThrow().extension());
    }

    @Test
    void shouldRejectExtensionEqualToAnotherUsersNameAndTheReverse() throws ProvisioningException {
        users.add(new NewUser("2000", "pw", null, null));
        users.add(new NewUser("alice", "pw", "1001", null));

        assertThrows(ExtensionTakenException.class, () -> users.add(new NewUser("bob", "pw", "2000", null)));
        assertThrows(ExtensionTakenException.class, () -> users.update("alice", new UserUpdate(null, "2000", null)));
        ExtensionTakenException e = assertThrows(ExtensionTakenException.class,
                () -> users.add(new NewUser("1001", "pw", null, null)));
        assertEquals("alice", e.owner());
    }

    @Test
    void shouldAllowOwnNameAsOwnExtension() throws ProvisioningException {
        users.add(new NewUser("3000", "pw", "3000", null));
        users.add(new NewUser("alice", "pw", null, null));

        assertEquals("3000", users.findByExtension("3000").orElseThrow().name());
        assertEquals("3000", users.update("3000", new UserUpdate(null, "3000", "Desk")).extension());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a:b", "a@b", "a b", "tab\there", "nul\u0000", "caf\u00e9", "<x>", "a\"b", "a%b"})
    void shouldRejectInvalidNameNamingTheCharacter(String name) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> users.add(new NewUser(name, "pw", null, null)));

        assertEquals("name", e.field());
        assertTrue(e.getMessage().startsWith("name: "), e.getMessage());
        assertTrue(e.getMessage().contains("not allowed"), e.getMessage());
        assertTrue(users.list().isEmpty());
    }

    @Test
    void shouldNameTheBadCharacterReadably() {
        assertMessage("name: character ':' (U+003A) at position 2 is not allowed",
                new NewUser("a:b", "pw", null, null));
        assertMessage("name: character '@' (U+0040) at position 6 is not allowed",
                new NewUser("alice@example.org", "pw", null, null));
        assertMessage("name: space character U+0020 at position 2", new NewUser("a b", "pw", null, null));
        assertMessage("name: control character U+0007 at position 1", new NewUser("\u0007", "pw", null, null));
    }

    @Test
    void shouldAcceptEveryRfc3261UserCharacter() throws ProvisioningException {
        String name = "aZ09-_.!~*'()&=+$,;?/";
        users.add(new NewUser(name, "pw", null, null));

        assertTrue(users.find(name).isPresent());
        assertTrue(users.find("x".repeat(64)).isEmpty());
        users.add(new NewUser("x".repeat(64), "pw", null, null));
    }

    @Test
    void shouldRejectInvalidFields() {
        assertMessage("name: is required", new NewUser("", "pw", null, null));
        assertMessage("name: is required", new NewUser(null, "pw", null, null));
        assertMessage("name: is 65 characters long", new NewUser("x".repeat(65), "pw", null, null));
        assertMessage("password: is required", new NewUser("alice", "", null, null));
        assertMessage("password: is 129 characters long", new NewUser("alice", "p".repeat(129), null, null));
        assertMessage("extension: '1' is not an extension", new NewUser("alice", "pw", "1", null));
        assertMessage("extension: '12a' is not an extension", new NewUser("alice", "pw", "12a", null));
        assertMessage("extension: '1234567890123456' is not an extension",
                new NewUser("alice", "pw", "1234567890123456", null));
        assertMessage("displayName: control character U+000A at position 3", new NewUser("alice", "pw", null,
                "Al\nice"));
        assertMessage("displayName: is 129 characters long", new NewUser("alice", "pw", null, "d".repeat(129)));
    }

    @Test
    void shouldNeverEchoThePassword() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> users.add(new NewUser("alice", "top\u0001secret", null, null)));

        assertEquals("password: must not contain control characters", e.getMessage());
        assertFalse(new NewUser("alice", "topsecret", null, null).toString().contains("topsecret"));
        assertFalse(new UserUpdate("topsecret", null, null).toString().contains("topsecret"));
    }

    @Test
    void shouldNotShowHa1InToString() throws ProvisioningException {
        User user = users.add(new NewUser("alice", "pw", null, null));

        assertFalse(user.toString().contains(user.ha1()));
    }

    @Test
    void shouldAcceptLongUnicodeDisplayNames() throws ProvisioningException {
        String display = "\uD83D\uDCDE".repeat(128); // 128 code points, 256 chars
        assertEquals(display, users.add(new NewUser("alice", "pw", null, display)).displayName());
    }

    @Test
    void shouldAddNothingWhenOneEntryOfABatchIsInvalid() throws ProvisioningException {
        users.add(new NewUser("existing", "pw", "1000", null));
        List<NewUser> batch = List.of(
                new NewUser("a1", "pw", "1001", null),
                new NewUser("a2", "pw", "1002", null),
                new NewUser("bad name", "pw", "1003", null));

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> users.addAll(batch));

        assertEquals("users[2].name", e.field());
        assertEquals(1, users.list().size());
        assertTrue(users.find("a1").isEmpty());
    }

    @Test
    void shouldAddNothingWhenABatchConflicts() throws ProvisioningException {
        users.add(new NewUser("existing", "pw", "1000", null));

        UserExistsException withinBatch = assertThrows(UserExistsException.class, () -> users.addAll(List.of(
                new NewUser("a1", "pw", null, null), new NewUser("a1", "pw", null, null))));
        ExtensionTakenException withStore = assertThrows(ExtensionTakenException.class, () -> users.addAll(List.of(
                new NewUser("a1", "pw", "1001", null), new NewUser("a2", "pw", "1000", null))));
        ExtensionTakenException nameVsExtension = assertThrows(ExtensionTakenException.class,
                () -> users.addAll(List.of(new NewUser("a1", "pw", "3001", null), new NewUser("3001", "pw", null,
                        null))));
        ExtensionTakenException extensionVsName = assertThrows(ExtensionTakenException.class,
                () -> users.addAll(List.of(new NewUser("4000", "pw", null, null), new NewUser("a1", "pw", null,
                        null), new NewUser("a2", "pw", "4000", null))));

        assertTrue(withinBatch.getMessage().startsWith("users[1]: "), withinBatch.getMessage());
        assertTrue(withStore.getMessage().startsWith("users[1]: "), withStore.getMessage());
        assertTrue(nameVsExtension.getMessage().startsWith("users[1]: "), nameVsExtension.getMessage());
        assertTrue(extensionVsName.getMessage().startsWith("users[2]: "), extensionVsName.getMessage());
        assertEquals(List.of("existing"), users.list().stream().map(User::name).toList());
    }

    @Test
    void shouldReturnEmptyListForEmptyBatch() throws ProvisioningException {
        assertEquals(List.of(), users.addAll(List.of()));
    }

    @Test
    void shouldSurviveCloseAndReopen() throws ProvisioningException {
        User alice = users.add(new NewUser("alice", "pw", "1001", "Alice"));
        users.add(new NewUser("bob", "pw", null, null));
        users.remove("bob");
        provisioning.close();

        provisioning = Provisioning.open(dir.resolve("data"), REALM);
        users = provisioning.users();

        assertEquals(List.of(alice), users.list());
        assertEquals(Optional.of(alice), users.findByExtension("1001"));
    }

    @Test
    void shouldFindUsersOfAnOldRealmUntilTheirPasswordIsReset() throws ProvisioningException {
        users.add(new NewUser("alice", "pw", null, null));
        provisioning.close();

        provisioning = Provisioning.open(dir.resolve("data"), "new.example.org");
        users = provisioning.users();
        User stale = users.find("alice").orElseThrow();
        User reset = users.update("alice", new UserUpdate("pw2", null, null));

        assertEquals(REALM, stale.realm());
        assertFalse(stale.hasRealm(provisioning.realm()));
        assertEquals("new.example.org", reset.realm());
        assertEquals(DigestHa1.of("alice", "new.example.org", "pw2"), reset.ha1());
    }

    @Test
    void shouldKeepServingLookupsButRefuseChangesAfterClose() throws ProvisioningException {
        users.add(new NewUser("alice", "pw", null, null));
        provisioning.close();
        provisioning.close();

        assertTrue(users.find("alice").isPresent());
        ProvisioningException e = assertThrows(ProvisioningException.class,
                () -> users.add(new NewUser("bob", "pw", null, null)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void shouldRejectInvalidRealm() {
        assertThrows(InvalidInputException.class, () -> Provisioning.open(dir.resolve("other"), ""));
        assertThrows(InvalidInputException.class, () -> Provisioning.open(dir.resolve("other"), "a\"b"));
    }

    @Test
    void shouldBeTheSameUsersObject() {
        assertSame(users, provisioning.users());
    }

    private void assertMessage(String expectedStart, NewUser user) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> users.add(user));
        assertTrue(e.getMessage().startsWith(expectedStart), "expected '" + expectedStart + "...' but got '"
                + e.getMessage() + "'");
    }
}
