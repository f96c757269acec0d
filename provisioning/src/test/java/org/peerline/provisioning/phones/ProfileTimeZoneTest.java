package org.peerline.provisioning.phones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileTimeZoneTest {
    private static final Instant AT = Instant.parse("2025-01-15T12:00:00Z");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Europe/Paris     | <+01>-1<+02>-2,M3.5.0/02:00:00,M10.5.0/03:00:00",
        "America/New_York | <-05>5<-04>4,M3.2.0/02:00:00,M11.1.0/02:00:00",
        "Asia/Kolkata     | <+0530>-5:30",
        "UTC              | <+00>0",
        "Australia/Sydney | <+10>-10<+11>-11,M10.1.0/02:00:00,M4.1.0/03:00:00",
        "Europe/London    | <+00>0<+01>-1,M3.5.0/01:00:00,M10.5.0/02:00:00",
        "Pacific/Auckland | <+12>-12<+13>-13,M9.5.0/02:00:00,M4.1.0/03:00:00",
        "Asia/Kathmandu   | <+0545>-5:45",
        "America/St_Johns | <-0330>3:30<-0230>2:30,M3.2.0/02:00:00,M11.1.0/02:00:00",
    })
    void shouldWriteThePosixTzString(String zone, String expected) {
        assertEquals(expected, ZoneSummary.of(ZoneId.of(zone), AT).posix());
    }

    @Test
    void shouldGiveTheSouthernHemisphereRuleStartInSpring() {
        ZoneSummary.Dst dst = ZoneSummary.of(ZoneId.of("Australia/Sydney"), AT).dst();

        assertEquals(Month.OCTOBER, dst.start().month());
        assertEquals(1, dst.start().week());
        assertEquals(2, dst.start().hour());
        assertEquals(Month.APRIL, dst.end().month());
        assertEquals(3, dst.end().hour());
        assertEquals(60, dst.savingMinutes(ZoneOffset.ofHours(10)));
    }

    @Test
    void shouldHaveNoRuleForZonesWithoutDaylightSavingTime() {
        assertNull(ZoneSummary.of(ZoneId.of("Asia/Kolkata"), AT).dst());
        assertNull(ZoneSummary.of(ZoneId.of("UTC"), AT).dst());
        assertNull(ZoneSummary.of(ZoneId.of("Asia/Tokyo"), AT).dst());
    }

    @Test
    void shouldFormatVendorOffsets() {
        assertEquals("+1", YealinkProfile.timeZone(ZoneOffset.ofHours(1)));
        assertEquals("-5", YealinkProfile.timeZone(ZoneOffset.ofHours(-5)));
        assertEquals("+5:30", YealinkProfile.timeZone(ZoneOffset.ofHoursMinutes(5, 30)));
        assertEquals("-3:30", YealinkProfile.timeZone(ZoneOffset.ofHoursMinutes(-3, -30)));
        assertEquals("0", YealinkProfile.timeZone(ZoneOffset.UTC));
        assertEquals("GMT+01:00", CiscoSpaProfile.timeZone(ZoneOffset.ofHours(1)));
        assertEquals("GMT-03:30", CiscoSpaProfile.timeZone(ZoneOffset.ofHoursMinutes(-3, -30)));
        assertEquals("GMT", CiscoSpaProfile.timeZone(ZoneOffset.UTC));
    }
}
