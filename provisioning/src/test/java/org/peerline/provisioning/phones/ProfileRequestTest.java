package org.peerline.provisioning.phones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.peerline.provisioning.phones.ProfileRequest.Kind;

class ProfileRequestTest {
    private static final String MAC = "00156512ab3c";

    @Test
    void shouldRecogniseEachKindOfFile() {
        assertEquals(request(Kind.MAC_CFG), ProfileRequest.parse("00156512ab3c.cfg"));
        assertEquals(request(Kind.POLYCOM_SETTINGS), ProfileRequest.parse("00156512ab3c-peerline.cfg"));
        assertEquals(request(Kind.GRANDSTREAM_XML), ProfileRequest.parse("cfg00156512ab3c.xml"));
        assertEquals(request(Kind.CISCO_SPA_XML), ProfileRequest.parse("spa00156512ab3c.xml"));
    }

    @Test
    void shouldAcceptUpperCaseHexAndOneLeadingSlash() {
        assertEquals(request(Kind.CISCO_SPA_XML), ProfileRequest.parse("spa00156512AB3C.xml"));
        assertEquals(request(Kind.GRANDSTREAM_XML), ProfileRequest.parse("/cfg00156512ab3c.xml"));
        assertEquals(request(Kind.MAC_CFG), ProfileRequest.parse("/00156512Ab3C.cfg"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "../x", "00156512345.cfg", "0015651234567.cfg", "zz156512ab3c.cfg",
        "00156512ab3g.cfg", "//00156512ab3c.cfg", "dir/00156512ab3c.cfg", "../00156512ab3c.cfg",
        "00156512ab3c.cfg ", " 00156512ab3c.cfg", "00156512ab3c.CFG", "SPA00156512ab3c.xml", "cfg00156512ab3c.cfg",
        "spa00156512ab3c.cfg", "00156512ab3c.xml", "00156512ab3c-other.cfg", "00:15:65:12:ab:3c.cfg",
        "y000000000028.cfg", "00156512ab3c.cfg\u0000", "00156512ab3c.cfg/"})
    void shouldRejectOtherNames(String name) {
        assertEquals(Optional.empty(), ProfileRequest.parse(name));
    }

    @Test
    void shouldGiveTheCanonicalFileName() {
        assertEquals("00156512ab3c-peerline.cfg",
                ProfileRequest.parse("/00156512AB3C-peerline.cfg").orElseThrow().fileName());
        assertEquals("spa00156512ab3c.xml", Kind.CISCO_SPA_XML.fileName(MAC));
    }

    @Test
    void shouldRefuseAMacThatIsNotTwelveLowercaseHexDigits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ProfileRequest("00156512AB3C", Kind.MAC_CFG));
        assertTrue(e.getMessage().startsWith("mac: '00156512AB3C'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ProfileRequest("0015651", Kind.MAC_CFG));
    }

    private static Optional<ProfileRequest> request(Kind kind) {
        return Optional.of(new ProfileRequest(MAC, kind));
    }
}
